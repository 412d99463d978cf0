"""`buurtbot demo` works with no token and no network, scripted and interactive."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_demo(*args: str, stdin: str = "", cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", *args],
        input=stdin,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
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
    assert out.count("Klaar, fijn dat je er bent! Dit heb ik bewaard:") == 2
    assert "All done, glad you're here! This is what I kept:" in out
    assert "📍 Area: not shared" in out
    assert "🔔 Hoe vaak: Eén keer" in out, "Fatima changed her pace in /instellingen"
    # A request and an offer are posted, found with /buurt, and Ben hears of Fatima's interest.
    assert "Je vraag staat erin!" in out
    assert "Your offer is up, thank you!" in out
    assert "Fatima: /buurt" in out
    assert "Open in je buurt (1–2 van 2)" in out
    assert "Buurtbot → Ben: Fatima from the neighbourhood is interested" in out
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
    assert "Buurtbot → Karim: Een paar vragen van buren in je buurt." in out
    assert "Karim presses [Ik kan helpen: Could someone pick up my…]" in out
    assert "Buurtbot → Ben: Good news! Karim would like to help" in out
    # Days after her help worked out, Anna hears she could offer something, if she likes.
    assert "Buurtbot → Anna: Fijn dat het gelukt is met je vraag." in out
    assert "Anna presses [Iets aanbieden]" in out
    assert "Wat wil je aanbieden?" in out
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("Demo finished: 6 residents")
    assert "0 Bot API errors" in summary
    assert list(tmp_path.iterdir()) == [], "the demo leaves no files behind"
    assert "The chart from /cijfers is saved as" in out
    assert "Willem presses [Niets aan de hand]" in out
    assert "Buurtbot → Fatima: Er is naar je melding gekeken." in out
    # An organiser announces a weekly cooking evening; Anna signs up; Olga sees her coming.
    assert "Olga presses [Ja, aankondigen]" in out
    assert "Anna presses [Alleen deze keer]" in out
    assert "gasten (1 van 6): Anna" in out


def test_chat_demo_lets_a_person_type_and_press_numbered_buttons(tmp_path: Path) -> None:
    result = run_demo("--chat", stdin="/start\n2\n/help\n\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Welke taal past bij jou?" in out
    assert "   2. English" in out
    assert "Which neighbourhood do you live in?" in out
    assert "/taal — Choose language" in out
    assert out.rstrip().endswith("Tot ziens!")
