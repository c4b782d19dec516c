"""index.text.sudachi: one dictionary per process, one tokenizer per thread."""

from __future__ import annotations

import threading

from index.text.sudachi import _shared_dictionary, sudachi_tokenizer


def _rss_mib() -> int:
    with open("/proc/self/status") as fh:
        return next(int(ln.split()[1]) // 1024 for ln in fh if ln.startswith("VmRSS:"))


def test_threads_get_their_own_tokenizer_over_one_dictionary():
    mine = sudachi_tokenizer()
    assert sudachi_tokenizer() is mine
    before = _rss_mib()
    theirs: list = []
    threads = [threading.Thread(target=lambda: theirs.append(
        (sudachi_tokenizer(), [m.surface() for m in sudachi_tokenizer().tokenize("護衛艦の進水式")])))
        for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(tok) for tok, _ in theirs} | {id(mine)}) == 9
    assert all(words == theirs[0][1] for _, words in theirs) and "進水式" in theirs[0][1]
    assert _shared_dictionary() is _shared_dictionary()
    # a dictionary per thread cost ~90 MB each (8 threads: ~700 MB); tokenizers over a shared one, little
    assert _rss_mib() - before < 200
