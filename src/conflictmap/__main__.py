"""``python -m conflictmap``: the command line."""

import sys

from conflictmap.cli import main

sys.exit(main())
