"""`buurtbot demo` works with no token and no network, scripted and interactive."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_demo(
    *args: str, stdin: str = "", cwd: Path, tmpdir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env["PYTHONPATH"] = str(REPO)
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", *args],
        input=stdin,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        # The scripted demo takes under 10 s (no one-message-a-second per chat, see
        # bot/demo.py); a loaded 2-core machine can need several times that.
        timeout=120,
        check=False,
    )


def test_scripted_demo_plays_the_neighbourhood_and_summarises(tmp_path: Path) -> None:
    result = run_demo(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Anna: /start" in out
    assert "Anna presses [✓ Nederlands]" in out
    assert "Anna shares a location" in out
    assert "Ben: /start wijk_transvaalbuurt" in out
    assert "Fatima: transval" in out
    # Each of the three finishes onboarding with a summary, in their own language.
    assert out.count("Klaar, fijn dat je er bent! Dit heb ik bewaard:") == 3  # and Willem
    assert "All done, glad you're here! This is what I kept:" in out
    assert "📍 Area: not shared" in out
    assert "🔔 Hoe vaak: Eén keer" in out, "Fatima changed her pace in /instellingen"
    # A request and an offer are posted, found with /buurt, and Ben hears of Fatima's interest.
    assert "Je vraag is geplaatst!" in out
    assert "Your offer is up, thank you!" in out
    assert "Fatima: /buurt" in out
    assert "Open in je buurt (1–2 van 2)" in out
    assert "Buurtbot → Ben: Fatima from the neighbourhood is interested" in out
    # Ben says yes: the offer path connects them like a request's match, with a thank-you.
    assert "Ben presses [Yes, put us in touch]" in out
    assert "Buurtbot → Ben: 💬 Fatima: Mag ik de ladder zaterdag even lenen?" in out
    assert "Fatima presses [Ja! Bedank Ben]" in out
    assert "Buurtbot → Ben: 💐 Fatima says: thank you!" in out
    assert "niet gelukt met het aanbod van Ben" not in out, "Fatima's interest did not lapse"
    # Anna's request invites three neighbours; one yes connects, and a thank-you follows.
    assert "Buurtbot invites: Karim, Lotte, Sanne" in out
    assert "presses [Nu even niet]" in out
    assert "presses [🙋 Ik help graag]" in out
    assert "Dit is al geregeld. Dank je!" in out
    assert "Anna presses [Ja, graag]" in out
    assert "💬 Anna: Fijn! Ik woon op de hoek" in out
    assert "Is het gelukt met" in out
    assert "Anna zegt: dank je wel!" in out
    # A week on, one calm digest; its button works like "Ik kan helpen" in /buurt.
    # Every message is told when it arrives, every edit as an edit, and the narration before
    # what it announces: "Buurtbot invites" comes between Anna's post and the invitations,
    # which arrive before Ben starts his offer, before anyone presses their buttons, and
    # Sanne's before it is edited to "al geregeld".
    invites = out.index("Buurtbot invites")
    assert out.index("Je vraag is geplaatst!") < invites
    for name in ("Karim", "Lotte", "Sanne"):
        assert (
            invites
            < out.index(f"Buurtbot → {name}: Zin om te helpen?")
            < out.index("Ben: /aanbod")
        )
    assert out.index("Buurtbot → Lotte: Zin om te helpen?") < out.index(
        "Lotte presses [🙋 Ik help graag]"
    )
    assert out.index("Buurtbot → Sanne: Zin om te helpen?") < out.index("Buurtbot edits Sanne:")
    assert out.index("Lotte presses [🙋 Ik help graag]") < out.index("Buurtbot edits Sanne:")
    # The location question's reply keyboard shows, and that sharing closes it.
    assert "keyboard: [📍 Deel mijn locatie]  [Overslaan]" in out
    assert "(keyboard closed)" in out
    assert "Six neighbours join" in out
    assert "Buurtbot → Karim: Een paar vragen van buren in je buurt." in out
    assert "Karim presses [Ik kan helpen: Could someone pick up my…]" in out
    assert "Buurtbot → Ben: Good news! Karim would like to help" in out
    # Days after her help worked out, Anna hears she could offer something, if she likes.
    assert "Buurtbot → Anna: Fijn dat het gelukt is met je vraag." in out
    assert "Anna presses [Iets aanbieden]" in out
    assert "Wat wil je aanbieden?" in out
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("Demo finished: 8 residents"), "Willem and Olga counted too"
    assert "0 Bot API errors" in summary
    assert list(tmp_path.iterdir()) == [], "the demo leaves no files behind"
    assert "The chart from /cijfers is saved as" in out
    assert "Willem presses [Niets aan de hand]" in out
    assert out.index("Willem: /start") < out.index("Willem presses [Klaar]"), "Willem finishes"
    assert "Buurtbot → Fatima: Er is naar je melding gekeken." in out
    # An organiser announces a weekly cooking evening; Anna signs up; Olga sees her coming.
    assert "Olga presses [Ja, aankondigen]" in out
    assert "Anna presses [Alleen deze keer]" in out
    assert "gasten (1 van 6): Anna" in out
    # Olga is refused before she is made an organiser, and Anna's welcome back after the
    # activity's link comes before she signs up.
    refused = out.index("Buurtbot → Olga: Een activiteit aankondigen kan als organisator")
    assert out.index("Olga: /activiteit") < refused < out.index("role grant ... organiser")
    assert out.index("Buurtbot → Anna: Fijn je weer te zien, Anna!") < out.index(
        "Anna presses [Ik doe mee: gasten]"
    )
    assert unshown_presses(out) == []


def unshown_presses(transcript: str) -> list[str]:
    """The "X presses [label]" lines for which no bot message to X showing [label] was told
    before: a press told before its button arrived."""
    shown: dict[str, str] = {}  # name -> every bot message told to them so far
    unshown, speaker = [], None
    for line in transcript.splitlines():
        bot = re.match(r"  Buurtbot (?:→|edits) (\w+): ", line)
        if bot is not None:
            speaker = bot.group(1)
        elif not line.startswith("      ") and line:
            speaker = None
        if speaker is not None:
            shown[speaker] = shown.get(speaker, "") + line + "\n"
        press = re.match(r"(\w+) presses (\[.*\])$", line)
        if press is not None and press.group(2) not in shown.get(press.group(1), ""):
            unshown.append(line)
    return unshown


def test_chat_demo_lets_a_person_type_and_press_numbered_buttons(tmp_path: Path) -> None:
    result = run_demo("--chat", stdin="/start\n2\n/help\n\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Welke taal past bij jou?" in out
    assert "   2. English" in out
    assert "Which neighbourhood do you live in?" in out
    assert "/language — Choose language" in out
    assert out.rstrip().endswith("Goodbye!"), "in the language chosen, not Dutch"


def test_chat_demo_reads_piped_input_shares_a_location_and_shows_files(tmp_path: Path) -> None:
    """Piped lines are read one at a time, each once the bot is idle (no "no button with that
    number"); the reply keyboard shows and 📍 shares a location; numbered buttons are not
    numbered twice; a file shows its name, size and where it was saved; text over 4096
    characters goes as two messages, as a Telegram app sends it."""
    lines = [
        "/start",
        "1",  # Nederlands
        "1",  # Transvaalbuurt
        "📍",
        "4",  # about once a week
        "5",  # keep the quiet hours
        "13",  # done
        "/vraag",
        "Wie kan zaterdag mijn boodschappen doen?",
        "1",  # the category is right
        "1",  # the day is right
        "1",  # post it
        "/mijn",
        "/mijngegevens",
        "a" * 5000,
        "/locatie 52.35,4.92",
        "",
    ]
    files = tmp_path / "tmp"
    files.mkdir()
    result = run_demo("--chat", stdin="\n".join(lines) + "\n", cwd=tmp_path, tmpdir=files)
    assert result.returncode == 0, result.stderr
    assert "no button with that number" not in result.stderr
    out = result.stdout
    assert "   keyboard: [📍 Deel mijn locatie]  [Overslaan]" in out
    assert "Ik heb alleen je gebied bewaard" in out, "📍 shared a location"
    assert "Klaar, fijn dat je er bent!" in out
    assert "Je vraag is geplaatst!" in out
    assert "Buurtbot (edited): " in out
    assert "\n   1. Boodschappen\n" in out, "/mijn's button, numbered once"
    # The README's example of such a button ("like `1. Boodschappen` under `/mijn`") is one
    # this chat shows, in the answer to that command.
    readme = (REPO / "README.md").read_text()
    example = re.search(r"carries its own\s+number, like `([^`]+)`[^`]*`(/\w+)`", readme)
    assert example is not None
    label, command = example.groups()
    assert f"> {command}\n" in out, command
    answer = out.split(f"> {command}\n", 1)[1].split("\n> ", 1)[0] + "\n"
    assert f"\n   {label}\n" in answer
    assert "1. 1." not in out
    saved = files / "buurtbot-demo-buurtbot-data.json"
    assert f"📎 buurtbot-data.json, {saved.stat().st_size / 1024:.1f} KB, saved as {saved}" in out
    assert isinstance(json.loads(saved.read_text()), dict)
    assert "so your app would send it as 2 messages" in out
    assert "Traceback" not in result.stderr
    assert out.rstrip().endswith("Tot ziens!")


def test_chat_demo_has_neighbours_who_post_and_can_be_invited(tmp_path: Path) -> None:
    """--chat is a small neighbourhood too: Karim, Lotte and Sanne join first, /buurt shows
    Karim's offer and Lotte's request, and a request of yours finds someone to ask (it said
    "Er is nu nog niemand die ik kan vragen" when you were alone)."""
    lines = ["/start", "1", "1", "📍", "4", "5", "13", "/buurt", "/vraag"]
    lines += ["Wie kan zaterdag mijn boodschappen doen?", "1", "1", "1", ""]
    result = run_demo("--chat", stdin="\n".join(lines) + "\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Your neighbours in Transvaalbuurt, Karim, Lotte and Sanne" in out
    buurt = out.split("> /buurt\n", 1)[1].split("\n> ", 1)[0]
    assert "Open in je buurt (1–2 van 2)" in buurt
    assert "👤 Karim" in buurt
    assert "👤 Lotte" in buurt
    assert "Je vraag is geplaatst!" in out
    assert "Er is nu nog niemand die ik kan vragen" not in out
    assert out.rstrip().endswith("Tot ziens!")


def _read_until(fd: int, ending: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while not seen.endswith(ending) and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the other end closed: the demo ended
                break
            seen += chunk
    return seen


def test_ctrl_c_at_the_chat_prompt_ends_the_demo_at_once(tmp_path: Path) -> None:
    """At a terminal's prompt (input() in a thread), Ctrl-C did nothing until Enter: asyncio
    waited for that thread. Now it ends the demo at once, with one calm line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env["PYTHONPATH"] = str(REPO)
    terminal, screen = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--chat"],
        stdin=screen,
        stdout=screen,
        stderr=screen,  # as at a terminal: without readline, input() prompts on stderr
        env=env,
        cwd=tmp_path,
    )
    os.close(screen)
    try:
        shown = _read_until(terminal, b"> ", timeout=60)
        assert shown.endswith(b"> "), shown  # the bot runs and the prompt waits for a line
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=15)
        shown += _read_until(terminal, b"Tot ziens!\r\n", timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(terminal)
    assert code == 0, shown
    assert b"Traceback" not in shown
    assert shown.endswith(b"> \r\nTot ziens!\r\n"), shown
    assert list(tmp_path.iterdir()) == [], "the demo leaves no files behind"


def test_ctrl_c_with_piped_input_ends_the_demo_cleanly(tmp_path: Path) -> None:
    """With piped input, input() waited inside sys.stdin's buffer, holding its lock: Ctrl-C
    printed the goodbye, then Python aborted at shutdown ("Fatal Python error:
    _enter_buffered_busy", exit code 134). Now it ends as at a terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        process.stdin.write(b"/start\n")
        process.stdin.flush()  # and the pipe stays open: the demo waits for the next line
        shown = _read_until(process.stdout.fileno(), b"2. English\n> ", timeout=60)
        assert shown.endswith(b"2. English\n> "), shown
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=15)
        stdout, stderr = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    shown += stdout
    assert b"Fatal Python error" not in stderr, stderr
    assert code == 0, stderr
    assert b"Traceback" not in stderr, stderr
    assert shown.endswith(b"> \nTot ziens!\n"), shown
    assert list(tmp_path.iterdir()) == [], "the demo leaves no files behind"
