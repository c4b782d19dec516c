"""defnews index: ingest -> chunk -> embed -> store -> search.

This package is the library. It never imports ``bot`` or ``discord``.
"""

__version__ = "0.1.0"
