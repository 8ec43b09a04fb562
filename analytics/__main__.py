"""``python -m analytics``: see :mod:`analytics.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
