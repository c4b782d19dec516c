"""One e5onnx conversion per test session (about 20 s), into a temporary cache folder, for the slow tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def e5onnx_cache(tmp_path_factory) -> Path:
    """A cache folder holding a freshly converted e5onnx encoder (read-only: copy it to change it)."""
    from index.embedding.e5onnx import E5OnnxEmbedder

    cache = tmp_path_factory.mktemp("e5onnx-cache")
    emb = E5OnnxEmbedder(cache_dir=cache)
    emb.warm_up()
    assert emb.encoder is not None and emb.encoder.built
    return cache
