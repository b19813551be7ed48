"""``python -m app`` runs the core commands only; ``python -m ui.launcher`` adds the window."""

import sys

from app.cli import main

sys.exit(main())
