"""The index in PostgreSQL + pgvector, shared by several processes and machines (``DEFNEWS_STORE_URL``).

connect (URL, redaction, one-line errors) -> schema (tables, version, the ``vector`` extension) ->
write (a generation in one transaction) / generation (reading one) / cache / dense (pgvector search) ->
store (the :class:`~index.store.protocol.IndexStore`). Only imported when a PostgreSQL URL is configured.
"""
