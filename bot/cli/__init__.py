"""The ``defnews`` command line (``defnews = "bot.cli:main"``; ``python -m bot.cli``)."""

from .entry import main

__all__ = ["main"]
