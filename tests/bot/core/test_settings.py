"""`.env.example` documents every setting, and settings fail with one clear line."""

import re

import pytest

from bot.settings import Settings, load_settings
from index.errors import ConfigError
from tests.conftest import ROOT


def test_env_example_documents_every_setting():
    text = (ROOT / ".env.example").read_text("utf-8")
    documented = set(re.findall(r"^#?\s*DEFNEWS_([A-Z0-9_]+)=", text, re.M))
    expected = {name.upper() for name in Settings.model_fields}
    assert expected - documented == set(), "settings missing from .env.example"
    assert documented - expected == set(), ".env.example names settings that do not exist"


def test_id_lists_accept_commas_and_json(monkeypatch):
    monkeypatch.setenv("DEFNEWS_MAINTAINER_USER_IDS", "12, 34")
    monkeypatch.setenv("DEFNEWS_MODERATOR_ROLE_IDS", "[5,6]")
    s = load_settings()
    assert s.maintainer_user_ids == [12, 34] and s.moderator_role_ids == [5, 6]


def test_bad_value_names_the_setting(monkeypatch):
    monkeypatch.setenv("DEFNEWS_INDEX_TYPE", "ivf")
    with pytest.raises(ConfigError, match="DEFNEWS_INDEX_TYPE"):
        load_settings()


def test_token_is_secret(monkeypatch):
    monkeypatch.setenv("DEFNEWS_DISCORD_TOKEN", "MTIz.secret-token-value")
    s = load_settings()
    assert "secret-token-value" not in repr(s) and "secret-token-value" not in str(s.model_dump())
