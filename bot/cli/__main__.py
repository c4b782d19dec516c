"""``python -m bot.cli``: the same as the ``defnews`` console script."""

import sys

from .entry import main

sys.exit(main())
