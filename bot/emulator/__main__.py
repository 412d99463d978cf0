"""Entry point for ``python -m bot.emulator``."""

import sys

from bot.emulator.cli import main

sys.exit(main())
