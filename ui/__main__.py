"""``python -m ui``: the full ``returndesk`` command, window included."""

import sys

from ui.launcher import main

sys.exit(main())
