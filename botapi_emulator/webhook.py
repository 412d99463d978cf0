"""Webhook delivery: POST each pending update to the bot, in order, until it answers 2xx.

Like Telegram, a failed delivery (non-2xx status, refused connection, timeout) is retried with
growing delays and reported through getWebhookInfo's last_error_* fields; the update stays
pending meanwhile, so ordering and at-least-once delivery match production. Nothing a webhook
receiver does can crash the emulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

import aiohttp

from botapi_emulator.state import World
from botapi_emulator.updates import QueuedUpdate, WebhookConfig

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDeliverer:
    """Background task that drains the update queue into the configured webhook."""

    def __init__(
        self,
        world: World,
        *,
        retry_base: float = 0.1,
        retry_max: float = 2.0,
        request_timeout: float = 10.0,
    ) -> None:
        self.world = world
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.request_timeout = request_timeout
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        # No keep-alive: a pooled connection can outlive the session's close() by a loop
        # iteration, and tests that stop the loop right after would see it as a leak.
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.request_timeout),
            connector=aiohttp.TCPConnector(force_close=True),
        )
        self._task = asyncio.create_task(
            self._run(self._session), name="emulator-webhook-delivery"
        )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
            # aiohttp closes the sockets of a cancelled request on the next loop iterations; let
            # them run, or a loop stopped right after sees an unclosed socket.
            for _ in range(3):
                await asyncio.sleep(0)

    async def _run(self, session: aiohttp.ClientSession) -> None:
        world = self.world
        failures = 0
        while True:
            await world.notifier.wait_until(
                lambda: world.webhook is not None and bool(world.updates.pending), None
            )
            hook = world.webhook
            if hook is None or not world.updates.pending:
                continue
            update = world.updates.pending[0]
            error = await self._post(session, hook, update)
            if error is None:
                failures = 0
                world.updates.confirm(update.update_id + 1)
                world.record("webhook", None, update_id=update.update_id, result="delivered")
                world.changed()
                continue
            failures += 1
            hook.last_error_date = world.now()
            hook.last_error_message = error
            delay = min(self.retry_max, self.retry_base * 2 ** (failures - 1))
            world.record("webhook", None, update_id=update.update_id, error=error, retry_in=delay)
            world.changed()
            if await self._backoff(delay):
                failures = 0

    async def _backoff(self, delay: float) -> bool:
        """Wait ``delay`` seconds, but return early (True) when the webhook is changed."""
        world = self.world
        generation = world.webhook_generation
        return await world.notifier.wait_until(
            lambda: world.webhook_generation != generation, delay
        )

    @staticmethod
    async def _post(
        session: aiohttp.ClientSession, hook: WebhookConfig, update: QueuedUpdate
    ) -> str | None:
        """Deliver one update; returns None on success, else Telegram's error text."""
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        try:
            async with session.post(
                hook.url, data=json.dumps(update.to_api()), headers=headers
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Connection timed out"
        except (aiohttp.ClientError, OSError) as error:
            return f"Connection failed: {error}"
        except Exception as error:  # a webhook must never take the emulator down
            return f"Delivery failed: {error!r}"
