"""Running the emulator standalone: `serve()` in-process and `python -m botapi_emulator`."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import subprocess
import sys

import httpx
import pytest

from botapi_emulator import Emulator, Limits, serve
from botapi_emulator.cli import main


async def test_serve_runs_until_cancelled(http: httpx.AsyncClient) -> None:
    ready: asyncio.Future[Emulator] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve("127.0.0.1", 0, Limits.unlimited(), ready=ready.set_result))
    emulator = await asyncio.wait_for(ready, timeout=5)
    root_url = emulator.root_url
    response = await http.get(f"{emulator.base_url}{emulator.token}/getMe")
    assert response.json()["result"]["username"] == "buurtbot_test_bot"
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    with pytest.raises(httpx.ConnectError):
        await http.get(f"{root_url}/sim/state")


def test_help_exits_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    assert "--port" in capsys.readouterr().out


def test_module_entry_point_prints_the_base_url_and_stops_on_ctrl_c() -> None:
    command = [sys.executable, "-m", "botapi_emulator", "--port", "0", "--no-limits"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(5)]
            match = re.search(r"base_url:\s+(http://127\.0\.0\.1:\d+/bot)\n", "".join(lines))
            assert match, lines
            token = "1234567:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
            response = httpx.get(f"{match[1]}{token}/getMe", timeout=5)
            assert response.json()["result"]["id"] == 1234567
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=5) == 0
        finally:
            process.kill()


@pytest.mark.parametrize("port", ["80000", "-1", "http"])
def test_a_port_that_is_not_one_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], port: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--port", port])
    assert stopped.value.code == 2
    assert "1 to 65535" in capsys.readouterr().err
