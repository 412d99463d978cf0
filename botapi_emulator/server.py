"""HTTP front end: Bot API routes, file downloads and the /sim routes on one aiohttp app.

URL layout mirrors Telegram (``/bot<token>/<method>``, ``/file/bot<token>/<path>``) so the
real python-telegram-bot client works unchanged with ``base_url``/``base_file_url``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from botapi_emulator.errors import ApiError
from botapi_emulator.params import Params, UploadedFile
from botapi_emulator.sim import Simulation
from botapi_emulator.sim_http import SimRoutes

MAX_REQUEST_BYTES = 64 * 1024 * 1024
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
SENDING_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "sendlocation"})


async def read_params(request: web.Request) -> Params:
    """Query string merged with a JSON, urlencoded or multipart body (the body wins)."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except ValueError:
                raise ApiError.bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError.bad_request("the JSON request body must be an object")
            values.update(body)
        elif request.content_type in _FORM_TYPES:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    files[name] = UploadedFile(value.filename, value.content_type, data)
                else:
                    values[name] = value
    return Params(values, files)


def _telegram_error(code: int, description: str) -> web.Response:
    body = {"ok": False, "error_code": code, "description": description}
    return web.json_response(body, status=code)


def create_app(sim: Simulation) -> web.Application:
    """The aiohttp application serving ``sim`` over HTTP."""

    async def bot_method(request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        status, body = await sim.api.call(token, method, lambda: read_params(request))
        latency = sim.method_latency.get(
            method.lower(), sim.send_latency if method.lower() in SENDING_METHODS else 0.0
        )
        if latency > 0:
            await asyncio.sleep(latency)
        return web.json_response(body, status=status)

    async def download(request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != sim.api.token:
            return _telegram_error(401, "Unauthorized")
        path = request.match_info["path"]
        for stored in sim.world.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return _telegram_error(404, "Not Found")

    async def not_found(request: web.Request) -> web.Response:
        return _telegram_error(404, "Not Found")

    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app.router.add_route("*", "/bot{token}/{method}", bot_method)
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    SimRoutes(sim).register(app.router)
    app.router.add_route("*", "/{tail:.*}", not_found)
    return app
