"""IndexService: the one object applications hold. Loads the searcher, ingests, reindexes, swaps.

Queries are answered from the loaded generation until a new one is complete and loaded; then the
reference is swapped in one assignment, so every answer comes wholly from the old or the new index. If a
new generation cannot be loaded (corrupt, foreign) the old searcher keeps serving.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from .durable import ensure_index_folder
from .embedding.protocol import Embedder
from .errors import DefnewsError, IndexMissingError, InvalidQueryError, folder_errors
from .ingest.collect import (
    STATE_FILE,
    RemoteReader,
    SourceState,
    forget_unindexed,
    states_from_bytes,
    states_to_bytes,
    stream_sources,
)
from .ingest.indexer import Indexer, Progress
from .ingest.report import IngestReport
from .ingest.workers import resolve_workers as resolve_workers  # for the settings
from .models import EVENT_TYPES, Answer, Article, Event, Query
from .search.searcher import Searcher
from .sources.config import SourcesConfig
from .sources.formats import ParseResult, ReadItem, Rejection, read_path
from .sources.records import ReadLog
from .store.events import select_events
from .store.files import as_store
from .store.protocol import IndexStore, StoredGeneration
from .text.chunking import ChunkerConfig

# for the application: whether a question is English, and the marker of a term-by-term gloss in answer_en
from .text.english import GLOSS as GLOSS
from .text.english import is_english as is_english

log = logging.getLogger(__name__)


FOLLOW_SECONDS = 30.0  # a shared store is checked for a new live generation this often


class ReindexBusyError(DefnewsError):
    """A reindex is already running."""


class IndexService:
    """``target``: an index folder (FAISS + SQLite) or any :class:`IndexStore` (e.g. PostgreSQL)."""

    def __init__(
        self,
        target: Path | IndexStore,
        embedder: Embedder,
        sources: SourcesConfig,
        *,
        index_type: str = "flat",
        ingest_workers: int = 1,
        chunker: ChunkerConfig | None = None,
        searcher_factory: Callable[[StoredGeneration, Embedder], Searcher] | None = None,
        remote_reader: RemoteReader | None = None,
        follow_seconds: float | None = None,
    ) -> None:
        self.store = as_store(target)
        # where the index is: its folder, or the store's location (a database URL without its password)
        self.index_dir: Path | str = getattr(self.store, "index_dir", None) or self.store.location
        self.embedder = embedder
        self.sources = sources
        self.index_type = index_type
        self.ingest_workers = ingest_workers  # processes that embed at ingest (1: a thread of this one)
        self.chunker = chunker
        self.searcher_factory = searcher_factory or (lambda gen, emb: Searcher(gen, emb))
        self.remote_reader = remote_reader
        self._searcher: Searcher | None = None
        self._load_lock = threading.Lock()
        self._reindex_lock = threading.Lock()
        self.last_report: IngestReport | None = None
        # how often to look for a generation another process made live (None: every FOLLOW_SECONDS on a
        # store shared by processes, never on an index folder); 0: never
        self.follow_seconds = (FOLLOW_SECONDS if self.store.kind == "postgres" else 0.0) \
            if follow_seconds is None else follow_seconds
        self._stop = threading.Event()
        self._follower: threading.Thread | None = None

    # ------------------------------------------------------------------ reading

    def has_index(self) -> bool:
        return self.store.live_id() is not None

    def ensure_folder(self) -> None:
        """Create the index folder; IndexFolderError (one line) when it cannot be created or written.
        Nothing to do for a store that is not a folder (a database)."""
        if (folder := self._folder()) is not None:
            ensure_index_folder(folder)

    @property
    def searcher(self) -> Searcher:
        s = self._searcher
        if s is None:
            with self._load_lock:
                if self._searcher is None:
                    gen = self.store.open_live(model_id=self.embedder.model_id)
                    self._searcher = self.searcher_factory(gen, self.embedder)
                    self._start_following()
                s = self._searcher
        return s

    def _start_following(self) -> None:
        if self.follow_seconds <= 0 or self._follower is not None:
            return
        self._follower = threading.Thread(target=self._follow, name="defnews-follow", daemon=True)
        self._follower.start()

    def _follow(self) -> None:
        """Load each generation that another process makes live (the current one serves meanwhile)."""
        while not self._stop.wait(self.follow_seconds):
            try:
                self.reload()
            except Exception:  # (reload keeps the loaded generation on index errors; this is the rest)
                log.exception("cannot look for a new index generation; still serving the loaded one")

    def close(self) -> None:
        """Stop following the live generation and let go of the store."""
        self._stop.set()
        self.store.close()

    def reload(self) -> bool:
        """Load the live generation and swap it in. Returns False (old one kept) if it cannot be loaded.

        Cheap when the live generation is the loaded one, so processes that share a store (another process
        reindexes) call it now and then to follow the live generation."""
        with self._load_lock:
            try:
                gen_id = self.store.live_id()
                if gen_id is None:
                    return False
                if self._searcher is not None and self._searcher.gen.id == gen_id:
                    return True
                gen = self.store.open(gen_id, model_id=self.embedder.model_id)
                new = self.searcher_factory(gen, self.embedder)
            except DefnewsError as exc:
                if self._searcher is None:
                    raise
                log.error("new index generation not loaded, still serving the previous one: %s", exc)
                return False
            self._searcher = new  # atomic swap; the old generation is closed by GC (searches may still run on it)
            return True

    def search(self, query: Query) -> Answer:
        return self.searcher.search(query)

    def articles_between(
        self, since: datetime | None, until: datetime | None = None, section: str | None = None
    ) -> list[Article]:
        arts = self.searcher.articles.values()
        out = [
            a for a in arts
            if (since is None or a.published >= since) and (until is None or a.published <= until)
            and (not section or a.section == section)
        ]
        return sorted(out, key=lambda a: (a.published, a.url), reverse=True)

    def title_en(self, article: Article) -> str:
        """The article's title in English (the title itself when it is English), as stored at ingest."""
        return self.searcher.english.title_en(article)

    def events(self, since: date | datetime | None = None, until: date | datetime | None = None,
               type: str | None = None) -> list[Event]:
        """Events (courtesy calls, meetings, visits, exercises, launches...) of the live generation whose
        period meets [since, until], of one ``type`` (see ``index.models.EVENT_TYPES``) or all, oldest first."""
        if type is not None and type not in EVENT_TYPES:
            raise InvalidQueryError(f"unknown event type {type!r} (one of {', '.join(EVENT_TYPES)})")
        return select_events(self.searcher.events(), _day(since), _day(until), type)

    # ------------------------------------------------------------------ writing

    def _folder(self) -> Path | None:
        """The index folder when the store is one (a database has none)."""
        return getattr(self.store, "index_dir", None)

    def _folder_errors(self):
        """OSErrors about the index folder as one IndexFolderError line (nothing to map for a database)."""
        folder = self._folder()
        return folder_errors(folder) if folder is not None else contextlib.nullcontext()

    def _indexer(self, workers: int | None = None) -> Indexer:
        return Indexer(self.store, self.embedder, chunker=self.chunker, index_type=self.index_type,
                       workers=workers or self.ingest_workers)

    def ingest_paths(
        self, paths: Sequence[Path], *, url: str | None = None, published: str | None = None,
        progress: Progress | None = None, workers: int | None = None,
    ) -> IngestReport:
        """Read files or folders and ingest them. ``url`` / ``published``: for a saved page that shows
        none (a malformed date is a rejection of the page, with the reason). ``workers``: embedding
        processes for this ingest (default: the service's ``ingest_workers``)."""
        self.ensure_folder()  # before any file is read
        # streamed: each article goes to the ingest as it is read (only what the report lists is kept)
        log = ReadLog()
        records = (r for p in paths for r in read_path(Path(p), url=url, published=published,
                                                       source=f"file:{Path(p).name}"))
        return self._ingest(log.articles(records), lambda: (log.rejections, log.items()), progress=progress,
                            workers=workers)

    def ingest_parsed(
        self, parsed: ParseResult, *, full: bool = False, progress: Progress | None = None, prune=None,
        info: dict | None = None, workers: int | None = None,
    ) -> IngestReport:
        return self._ingest(parsed.articles, lambda: (parsed.rejections, parsed.items()), full=full,
                            progress=progress, prune=prune, info=info, workers=workers)

    def _ingest(self, articles: Iterable[Article], read: Callable[[], tuple[list[Rejection], list[ReadItem]]], *,
                full: bool = False, progress: Progress | None = None, prune=None, info: dict | None = None,
                workers: int | None = None) -> IngestReport:
        """Ingest ``articles``; ``read()``, once they are consumed: the rejections and what was read."""
        with self._folder_errors():  # a full disk, a read-only folder...: one IndexFolderError line
            report = self._indexer(workers).ingest(articles, full=full, progress=progress, prune=prune, info=info)
            rejected, items = read()
            report.rejected = list(rejected)
            report.with_items(items)
        self.last_report = report
        if self._searcher is not None:  # serving: the new generation is swapped in (else the old one stays)
            self.reload()
        elif report.wrote:  # not serving yet (a command): the new generation must open, but is not loaded to
            self.store.open_live(model_id=self.embedder.model_id).close()  # serve (the searcher loads lazily)
        return report

    def reindex(
        self, *, full: bool = False, prune: bool = False, progress: Progress | None = None,
        workers: int | None = None,
    ) -> tuple[IngestReport, dict[str, SourceState]]:
        """Re-read all configured sources. One at a time per process; a second call raises ReindexBusyError."""
        if not self._reindex_lock.acquire(blocking=False):
            raise ReindexBusyError("a reindex is already running")
        try:
            self.ensure_folder()  # before any source is read
            states = self.source_states()
            # Pages are only skipped as "not modified" while their article is really indexed.
            forget_unindexed(states, set() if full else self._indexed_urls())
            # streamed: the sources' articles go to the ingest as they are read, which has read them all
            # (and so knows every source's state) before it prunes or writes the generation's info
            read = ReadLog()
            info: dict = {}

            def articles():
                yield from stream_sources(self.sources, states, read, remote_reader=self.remote_reader,
                                          progress=progress)
                info["sources"] = {n: {"ok": s.ok, "articles": s.articles} for n, s in states.items()}

            @functools.cache
            def present() -> tuple[set[str], set[str]]:
                """The sources read fine, and the URLs present: read this run, or still listed but unchanged
                (kept). Asked once every source is read."""
                ok = {n for n, s in states.items() if s.ok}
                return ok, {i.url for i in read.read} | {u for n, s in states.items() if n in ok for u in s.kept}

            def gone(a: Article) -> bool:
                # pruned only when neither its URL nor any of its syndicated twins is present, and its source
                # was read fine
                ok_sources, seen = present()
                return a.source in ok_sources and a.url not in seen and not seen.intersection(a.alt_urls)

            report = self._ingest(articles(), lambda: (read.rejections, read.items()), full=full,
                                  progress=progress, prune=gone if prune else None, info=info, workers=workers)
            ok_sources = {n for n, s in states.items() if s.ok}
            report.unchanged += sum(len(s.kept) for n, s in states.items() if n in ok_sources)  # not re-read
            with self._folder_errors():
                self.store.write_doc(STATE_FILE, states_to_bytes(states))
            return report, states
        finally:
            self._reindex_lock.release()

    def _indexed_urls(self) -> set[str]:
        """Every URL (and syndicated alternative) in the live generation; empty when there is none."""
        live = self.store.live_id()
        if live is None:
            return set()
        loaded = self._searcher
        if loaded is not None and loaded.gen.id == live:  # already in memory (the bot): no second load
            return {u for a in loaded.articles.values() for u in (a.url, *a.alt_urls)}
        try:
            gen = self.store.open(live, model_id=self.embedder.model_id)
        except DefnewsError as exc:
            log.warning("cannot read the current index (%s): every page is fetched again", exc)
            return set()
        try:
            return {u for k in gen.article_keys() for u in (k.url, *k.alt_urls)}  # (the bodies stay stored)
        finally:
            gen.close()

    @property
    def reindex_running(self) -> bool:
        return self._reindex_lock.locked()

    def ensure_index(self, progress: Progress | None = None) -> IngestReport | None:
        """Build the index from the configured sources when there is none. Returns the report if it built."""
        if self.has_index():
            return None
        report, _ = self.reindex(progress=progress)
        if not self.has_index():
            raise IndexMissingError(
                "no index could be built: the configured sources gave no articles "
                f"({len(report.rejected)} rejected)"
            )
        return report

    # ------------------------------------------------------------------ stats

    def source_states(self) -> dict[str, SourceState]:
        return source_states(self.store)

    def stats(self) -> dict:
        s = self.searcher
        m = s.gen.manifest
        newest = max((a.published for a in s.articles.values()), default=None)
        per_source: dict[str, int] = {}
        for a in s.articles.values():
            per_source[a.source] = per_source.get(a.source, 0) + 1
        states = self.source_states()
        return {
            "articles": m.articles,
            "chunks": m.chunks,
            "sources": [
                {"name": name, "articles": per_source.get(name, 0),
                 **({"ok": st.ok, "error": st.error, "last_run": st.last_run} if (st := states.get(name)) else {})}
                for name in sorted(set(per_source) | set(states))
            ],
            "model": m.model_id,
            "dimension": m.dim,
            "index_type": m.index_type,
            "store": self.store.kind,
            "index_dir": self.store.location,
            "generation": s.gen.id,
            "index_bytes": self.store.size_bytes(s.gen.id),
            "last_reindex": m.info.get("last_reindex", m.created_at),
            "newest_article": newest.isoformat() if newest else None,
            "schema_version": m.schema_version,
        }

    # ================================================================== for the application (bot/)
    # What the application needs beyond search, ingest and reindex, so that it never reaches into the
    # searcher, the store or the text tools.

    def load(self) -> None:
        """Load the live index now (not at the first question); IndexMissingError etc. when it cannot be."""
        self.searcher  # noqa: B018 - the property loads it

    def warm_up(self) -> None:
        """Load the live index, the embedding model and the section list, before the first question."""
        self.load()
        self.embedder.warm_up()
        self.sections()

    def question_terms(self, question: str) -> list[str]:
        """The keyword tokens of ``question``, as the search matches them (for emphasis in passages)."""
        return self.searcher.tokenizer.tokens(question)

    def sections(self) -> tuple[str, ...]:
        """The sections of the live index, most common first (computed once per generation)."""
        searcher = self.searcher
        cached = getattr(self, "_sections", None)
        if cached is None or cached[0] != searcher.gen.id:
            counts: dict[str, int] = {}
            for a in searcher.articles.values():
                if a.section:
                    counts[a.section] = counts.get(a.section, 0) + 1
            cached = (searcher.gen.id, tuple(sorted(counts, key=lambda s: (-counts[s], s))))
            self._sections = cached  # one assignment: readers see the old or the new pair
        return cached[1]

    def newest_by_source(self) -> dict[str, datetime]:
        """The publication time of each source's newest article in the live index."""
        newest: dict[str, datetime] = {}
        for a in self.searcher.articles.values():
            if a.source not in newest or a.published > newest[a.source]:
                newest[a.source] = a.published
        return newest


def make_embedder(
    backend: str, model: str = "", *, query_prompt: str = "", passage_prompt: str = "", batch_size: int = 32,
    threads: int = 0, cache_dir: Path | None = None,
) -> Embedder:
    """The configured embedder (nothing is loaded yet); ConfigError for an unknown backend or variant."""
    from .embedding.factory import make_embedder as make

    return make(backend, model, query_prompt=query_prompt, passage_prompt=passage_prompt, batch_size=batch_size,
                threads=threads, cache_dir=cache_dir)


def load_sources(sources_file: Path | None, sample_dir: Path) -> SourcesConfig:
    """The sources file (validated; ConfigError with one line), or the sample corpus in ``sample_dir``."""
    from .sources.config import default_sources, load_sources_file

    return default_sources(sample_dir) if sources_file is None else load_sources_file(sources_file)


def open_index_store(store_url: str | None, index_dir: Path) -> IndexStore:
    """The store the settings name: the PostgreSQL database of ``store_url``, else the folder ``index_dir``."""
    from .store.open import open_store

    return open_store(store_url, index_dir)


def connect_database(store_url: str):
    """A new autocommit connection (psycopg) to the PostgreSQL database ``store_url`` names, for the
    application's own tables beside the index; a one-line StoreUnavailableError (never the password) if the
    database cannot be reached or refuses the user."""
    from .store.postgres.connect import PgTarget

    return PgTarget.parse(store_url).connect()


def check_index_type(index_type: str) -> None:
    """ValueError unless ``index_type`` names a FAISS index this library builds (flat, sqfp16, hnswM, ivf…)."""
    from .store.vectors import parse_index_type

    parse_index_type(index_type)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``: the splitter chunking uses."""
    from .text.chunking import split_sentences

    return split_sentences(text)


def highlight_spans(text: str, terms: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """Sorted, non-overlapping offsets in ``text`` of ``terms``: the highlighter search uses for passages."""
    from .search.passages import highlight_spans as spans

    return spans(text, terms)

def _day(d: date | datetime | None) -> date | None:
    return d.date() if isinstance(d, datetime) else d

def source_states(store: IndexStore) -> dict[str, SourceState]:
    """What the last reindex recorded about each source (shared by every process of the store)."""
    return states_from_bytes(store.read_doc(STATE_FILE), f"{STATE_FILE} of {store.location}")
