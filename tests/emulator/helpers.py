"""Test helpers for the emulator tests: a steerable clock and a raw Bot API client."""

from __future__ import annotations

from typing import Any

import httpx

from botapi_emulator import Emulator


class FakeClock:
    """A monotonic clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Api:
    """Raw Bot API calls over httpx, returning (status, body)."""

    def __init__(self, emu: Emulator, http: httpx.AsyncClient) -> None:
        self.url = f"{emu.base_url}{emu.token}"
        self.http = http

    async def __call__(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        response = await self.http.post(f"{self.url}/{method}", json=params)
        return response.status_code, response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert status == 200, body
        assert body["ok"] is True
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = await self(method, **params)
        assert body["ok"] is False, body
        assert body["error_code"] == status
        return status, body["description"]
