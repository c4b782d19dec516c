"""The PostgreSQL store's tests use the session's real PostgreSQL (``pg_server``, ``pg_url``: tests/conftest.py)."""
