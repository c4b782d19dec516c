"""One SudachiPy core dictionary per process, one tokenizer per thread.

A SudachiPy tokenizer must not be shared between threads, but the dictionary it reads can be: loading the
dictionary is what costs memory (~90 MB each), so every thread's tokenizer is made from the one dictionary.
(A dictionary per thread made 50 querying threads hold 4.5 GB.)
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_dictionary = None
_local = threading.local()


def _shared_dictionary():
    global _dictionary
    if _dictionary is None:
        with _lock:
            if _dictionary is None:
                from sudachipy import Dictionary

                _dictionary = Dictionary(dict="core")
    return _dictionary


def sudachi_tokenizer():
    """This thread's SudachiPy tokenizer over the process's core dictionary (created at first use)."""
    tok = getattr(_local, "tok", None)
    if tok is None:
        d = _shared_dictionary()
        tok = _local.tok = d.tokenizer() if hasattr(d, "tokenizer") else d.create()
    return tok
