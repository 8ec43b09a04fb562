"""``python -m loaders``: see :mod:`loaders.cli`."""

import sys

from .cli import main

sys.exit(main())
