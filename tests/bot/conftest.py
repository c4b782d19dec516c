"""Bot fixtures on top of tests/conftest.py (``sample_index``: the sample corpus, HashEmbedder, once per session)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.settings import SAMPLE_DIR, Settings, load_settings
from bot.core.state import BotState
from bot.discord.client import DefnewsBot
from bot.features.catalog import build_features
from index.embedding.fake import HashEmbedder
from index.service import IndexService
from index.sources.config import default_sources

# The sample corpus runs to 24 July 2025: "now" is shortly after, so "since 7d" finds articles.
NOW = datetime(2025, 7, 25, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo


def make_settings(tmp_path: Path, **kw) -> Settings:
    base = {"index_dir": tmp_path / "index", "embedder": "hash", "ask_cooldown_seconds": 10.0,
            "ask_cooldown_rate": 2, "max_concurrent_searches": 2}
    base.update(kw)
    return load_settings(env_file=None, **base)


@pytest.fixture(scope="session")
def service(sample_index) -> IndexService:
    """Read-only use: tests that reindex build their own service."""
    return IndexService(sample_index, HashEmbedder(256), default_sources(SAMPLE_DIR))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def clock():
    return lambda: NOW


@pytest.fixture
def state(tmp_path):
    """A fresh bot state database per test."""
    st = BotState(tmp_path / "state.sqlite")
    yield st
    st.close()


@pytest.fixture
def features(settings, service, state, clock):
    return build_features(settings, service, state, clock=clock)


@pytest.fixture
async def bot(tmp_path, service, state, clock):
    """A set-up DefnewsBot without a gateway (maintainer: user 1; moderator role: 10; owner: 999)."""
    settings = make_settings(tmp_path, maintainer_user_ids=[1], moderator_role_ids=[10])
    b = DefnewsBot(settings, service, clock=clock, state=state, background=False)
    b.features = build_features(settings, service, state, clock=clock)
    b._owner_ids = frozenset({999})
    yield b
