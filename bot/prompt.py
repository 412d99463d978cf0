"""Reading a typed line without holding up Ctrl-C (for `buurtbot demo --chat`)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

# Piped input not yet handed out as a line (bytes read past the last newline).
_pending = bytearray()


async def read_line(prompt: str) -> str:
    """input(prompt) in a thread of its own; EOFError at the end of the input.

    Not asyncio.to_thread: on Ctrl-C asyncio.run cancels the waiting task but then waits for
    its default executor, that is for input() to return, so nothing happened until Enter. A
    daemon thread is not waited for: the line it may still read is simply dropped.

    At a terminal input() reads through readline, outside Python's stdin buffer. Otherwise
    (piped input) it would read through sys.stdin's buffer and hold that buffer's lock while
    it waits; at interpreter shutdown the daemon thread still held it and Python aborted
    ("Fatal Python error: _enter_buffered_busy"). So piped input is read from the file
    descriptor itself, which takes no lock.
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()
    interactive = _at_terminal()

    def deliver(line: str | None, error: BaseException | None) -> None:
        if answer.done():  # cancelled: nobody wants the line any more
            return
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(line or "")

    def read() -> None:
        try:
            line = input(prompt) if interactive else _read_piped_line(prompt)
        except BaseException as error:  # EOFError at the end of piped input, among others
            loop.call_soon_threadsafe(deliver, None, error)
        else:
            loop.call_soon_threadsafe(deliver, line, None)

    threading.Thread(target=read, name="demo-input", daemon=True).start()
    return await answer


def _at_terminal() -> bool:
    """Whether input() reads through readline (stdin and stdout both a terminal)."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def _read_piped_line(prompt: str) -> str:
    """One line from stdin's file descriptor, as input() gives it (prompt on stdout, no
    newline, EOFError at the end)."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    fd = sys.stdin.fileno()
    while b"\n" not in _pending:
        chunk = os.read(fd, 4096)
        if not chunk:
            if not _pending:
                raise EOFError
            break  # a last line without a newline
        _pending.extend(chunk)
    line, _, rest = bytes(_pending).partition(b"\n")
    _pending[:] = rest
    return line.decode("utf-8", errors="replace")  # a newline is never inside a character
