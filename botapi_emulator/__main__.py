"""Entry point for ``python -m botapi_emulator``."""

import sys

from botapi_emulator.cli import main

sys.exit(main())
