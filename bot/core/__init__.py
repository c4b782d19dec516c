"""What every part of the bot stands on: settings, its own state, permissions, errors and time helpers."""
