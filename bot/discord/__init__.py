"""The Discord client: its lifecycle (log in, connect, background tasks, command sync) and its error boundary."""
