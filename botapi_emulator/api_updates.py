"""Bot identity and update delivery methods: getMe, getUpdates and the webhook methods."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from botapi_emulator.api_base import ApiBase
from botapi_emulator.errors import ApiError
from botapi_emulator.jsontypes import JSONDict
from botapi_emulator.params import Params
from botapi_emulator.updates import WebhookConfig

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class UpdateMethods(ApiBase):
    """getMe, logOut/close, getUpdates, setWebhook, deleteWebhook, getWebhookInfo."""

    # Bumped by every getUpdates call; a waiting call that sees it change was superseded.
    _poll_generation = 0

    async def get_me(self, params: Params) -> JSONDict:
        return {
            **self.world.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.world.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def log_out(self, params: Params) -> bool:
        return True

    def _apply_allowed_updates(self, params: Params) -> list[str] | None:
        allowed = params.json("allowed_updates", unparsable="can't parse allowed updates JSON")
        if allowed is None:
            return None
        if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
            raise ApiError.bad_request("can't parse allowed updates JSON")
        self.world.updates.set_allowed(allowed)
        return allowed

    async def get_updates(self, params: Params) -> list[JSONDict]:
        world = self.world
        if world.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = params.integer("offset")
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = min(max(params.number("timeout") or 0.0, 0.0), 50.0)
        self._apply_allowed_updates(params)
        if offset:
            confirmed = world.updates.confirm(offset)
            if confirmed:
                world.record("confirm", "getUpdates", offset=offset, count=confirmed)
        # A newer getUpdates call terminates an older one that is still waiting, like Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        world.changed()

        def ready() -> bool:
            return (
                bool(world.updates.pending)
                or self._poll_generation != generation
                or world.webhook is not None
            )

        await world.notifier.wait_until(ready, timeout)
        if self._poll_generation != generation:
            raise ApiError(409, POLL_CONFLICT)
        if world.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        updates = world.updates.take(limit)
        if updates:
            world.record("deliver", "getUpdates", update_ids=[u.update_id for u in updates])
        return [update.to_api() for update in updates]

    async def set_webhook(self, params: Params) -> bool:
        url = (params.string("url") or "").strip()
        if not url:
            return await self.delete_webhook(params)
        parts = urlsplit(url)
        if not parts.hostname:
            raise ApiError.bad_request("bad webhook: Webhook URL is invalid")
        loopback_http = parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
        if parts.scheme != "https" and not loopback_http:
            raise ApiError.bad_request(
                "bad webhook: An HTTPS URL must be provided for webhook",
                "the emulator also accepts http:// for loopback hosts",
            )
        secret = params.string("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise ApiError.bad_request("secret token contains unallowed characters")
        max_connections = params.integer("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise ApiError.bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = self._apply_allowed_updates(params)
        previous = self.world.webhook
        config = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            ip_address=params.string("ip_address"),
            allowed_updates=allowed if allowed is not None else [],
        )
        if previous is not None and allowed is None:
            config.allowed_updates = previous.allowed_updates
        if params.flag("drop_pending_updates"):
            self.world.updates.clear()
        self.world.webhook = config
        self.world.webhook_generation += 1
        self.world.changed()
        return True

    async def delete_webhook(self, params: Params) -> bool:
        if params.flag("drop_pending_updates"):
            dropped = self.world.updates.clear()
            self.world.record("confirm", "deleteWebhook", dropped=dropped)
        self.world.webhook = None
        self.world.webhook_generation += 1
        self.world.changed()
        return True

    async def get_webhook_info(self, params: Params) -> JSONDict:
        pending = len(self.world.updates)
        if self.world.webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        return self.world.webhook.to_api(pending)
