"""defnews application: the Discord bot, the command line and reply formatting."""

__version__ = "0.1.0"
