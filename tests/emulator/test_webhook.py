"""Webhook mode: delivery with the secret header, retries, conflicts with getUpdates."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from botapi_emulator import Emulator
from tests.emulator.helpers import Api


class Receiver:
    """A tiny webhook endpoint that answers with scripted status codes (then 200)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.json()))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    @property
    def texts(self) -> list[str]:
        return [body["message"]["text"] for _, body in self.requests]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    await runner.cleanup()


async def test_delivery_with_secret_and_retry_after_500(
    emu: Emulator, api: Api, receiver: Receiver
) -> None:
    receiver.statuses = [500]
    await api.ok("setWebhook", url=receiver.url, secret_token="zeer_geheim-1")
    anna = emu.add_user("Anna")
    await emu.send_text(anna, "een")
    await emu.send_text(anna, "twee")
    await emu.wait_until_idle(timeout=5)
    assert receiver.texts == ["een", "een", "twee"]  # retried, and still in order
    headers = receiver.requests[0][0]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "zeer_geheim-1"
    assert headers["Content-Type"] == "application/json"
    info = await api.ok("getWebhookInfo")
    assert info["url"] == receiver.url
    assert info["pending_update_count"] == 0
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert isinstance(info["last_error_date"], int)


async def test_get_updates_conflicts_while_a_webhook_is_set(api: Api, receiver: Receiver) -> None:
    await api.ok("setWebhook", url=receiver.url)
    assert await api.error("getUpdates") == (
        409,
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    )
    await api.ok("deleteWebhook")
    assert await api.ok("getUpdates") == []


async def test_unreachable_webhook_keeps_updates_until_deleted(emu: Emulator, api: Api) -> None:
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await api.ok("setWebhook", url=f"http://127.0.0.1:{port}/hook")
    anna = emu.add_user("Anna")
    await emu.send_text(anna, "hallo")
    await emu.wait_for(
        lambda: any(e.kind == "webhook" and "error" in e.data for e in emu.events),
        timeout=5,
        what="a failed delivery",
    )
    info = await api.ok("getWebhookInfo")
    assert info["pending_update_count"] == 1
    assert info["last_error_message"].startswith("Connection failed")
    await api.ok("deleteWebhook")
    updates = await api.ok("getUpdates")
    assert [u["message"]["text"] for u in updates] == ["hallo"]


async def test_drop_pending_updates(emu: Emulator, api: Api, receiver: Receiver) -> None:
    anna = emu.add_user("Anna")
    await emu.send_text(anna, "oud")
    await api.ok("setWebhook", url=receiver.url, drop_pending_updates=True)
    await emu.send_text(anna, "nieuw")
    await emu.wait_until_idle(timeout=5)
    assert receiver.texts == ["nieuw"]
    receiver.statuses = [500] * 100
    await emu.send_text(anna, "mislukt")
    await emu.wait_for(lambda: len(receiver.requests) >= 2, timeout=5, what="a failed delivery")
    await api.ok("deleteWebhook", drop_pending_updates=True)
    assert emu.pending_updates == 0
    assert await api.ok("getUpdates") == []


@pytest.mark.parametrize(
    ("url", "secret", "description"),
    [
        (
            "http://example.org/hook",
            None,
            "bad webhook: An HTTPS URL must be provided for webhook",
        ),
        ("https:///hook", None, "bad webhook: Webhook URL is invalid"),
        ("https://example.org/hook", "geen spaties", "secret token contains unallowed characters"),
    ],
)
async def test_set_webhook_validation(
    api: Api, url: str, secret: str | None, description: str
) -> None:
    params = {"url": url} if secret is None else {"url": url, "secret_token": secret}
    assert await api.error("setWebhook", **params) == (400, f"Bad Request: {description}")


async def test_a_receiver_that_hangs_does_not_block_the_emulator(emu: Emulator, api: Api) -> None:
    delivering, release = asyncio.Event(), asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        delivering.set()
        await release.wait()
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        await api.ok("setWebhook", url=f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
        await emu.send_text(emu.add_user("Anna"), "hallo")
        await asyncio.wait_for(delivering.wait(), timeout=5)
        assert (await api.ok("getMe"))["is_bot"] is True  # served while the delivery hangs
        assert emu.pending_updates == 1
        release.set()
        await emu.wait_until_idle(timeout=5)
    finally:
        release.set()
        await runner.cleanup()
