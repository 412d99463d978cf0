"""Reading a typed line without holding up Ctrl-C (for `buurtbot demo --chat`)."""

from __future__ import annotations

import asyncio
import threading


async def read_line(prompt: str) -> str:
    """input(prompt) in a thread of its own; EOFError at the end of the input.

    Not asyncio.to_thread: on Ctrl-C asyncio.run cancels the waiting task but then waits for
    its default executor, that is for input() to return, so nothing happened until Enter. A
    daemon thread is not waited for: the line it may still read is simply dropped.
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()

    def deliver(line: str | None, error: BaseException | None) -> None:
        if answer.done():  # cancelled: nobody wants the line any more
            return
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(line or "")

    def read() -> None:
        try:
            line = input(prompt)
        except BaseException as error:  # EOFError at the end of piped input, among others
            loop.call_soon_threadsafe(deliver, None, error)
        else:
            loop.call_soon_threadsafe(deliver, line, None)

    threading.Thread(target=read, name="demo-input", daemon=True).start()
    return await answer
