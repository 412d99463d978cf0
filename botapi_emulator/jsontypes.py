"""The one loose type: Bot API objects travel as plain JSON dicts, exactly as on the wire."""

from __future__ import annotations

from typing import Any, TypeAlias

JSONDict: TypeAlias = dict[str, Any]
