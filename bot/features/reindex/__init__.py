"""/reindex and the background refresh: logic, Discord side, the terminal report."""
