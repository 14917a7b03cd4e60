"""`python -m bot.cli ...`, the same as the `cachewarden` script."""

import sys

from bot.cli import main

sys.exit(main())
