"""The exit codes of every ``defnews`` command (listed in ``defnews --help`` and the README)."""

EXIT_OK = 0  # all well
EXIT_PARTIAL = 1  # partial failure: a source failed, records were rejected, a batch question failed; the rest is done
EXIT_ERROR = 2  # bad input or configuration, or an index folder that cannot be used: nothing was done
EXIT_INTERRUPTED = 130  # Ctrl-C

EXIT_CODES_HELP = """exit codes:
  0  all well
  1  partial failure: a source failed (reindex, sources check), records were rejected (ingest) or a question
     of a batch failed (ask --batch); everything else was done and indexed
  2  bad input or configuration, or an index folder that cannot be used: nothing was done"""
