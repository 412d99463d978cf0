"""Tables, sessions, migrations and the queries the bot and the matching engine need."""

# The candidate index follows every flush that changes a resident or an offer (a session
# event registered on import), so it has to be loaded whenever storage is.
from storage import candidates as _candidates  # noqa: F401
