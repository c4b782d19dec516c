"""The bot's features, one module (or package) each: logic, slash commands, views and both renderings."""
