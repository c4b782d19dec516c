"""/sources and /stats in the terminal: ``defnews stats`` prints the index's figures this way, and chat adds
the bot's activity after them."""

from __future__ import annotations

from .logic import SourcesReply, StatsReply


def articles(n: int) -> str:
    return "1 article" if n == 1 else f"{n} articles"


def render_sources_terminal(reply: SourcesReply) -> str:
    lines = [f"{articles(reply.articles)} indexed" + (f", newest {reply.newest}" if reply.newest else "")]
    for s in reply.sources:
        line = f"  {s.name}: {articles(s.articles)}"
        if s.newest:
            line += f", newest {s.newest}"
        if not s.ok:
            line += f" — FAILING: {s.error}"
        lines.append(line)
    return "\n".join(lines)


def _rows(rows: list[tuple[str, object]]) -> list[str]:
    """``label:  value`` lines with the values in one column."""
    width = max(len(label) for label, _ in rows) + 2
    return [f"{label + ':':<{width}}{value}" for label, value in rows]


def render_stats_terminal(reply: StatsReply) -> str:
    """As ``defnews stats`` prints them; with the bot's activity after them when there is some (chat)."""
    act = reply.activity
    rows: list[tuple[str, object]] = [
        ("articles", reply.articles),
        ("chunks", reply.chunks),
        ("model", f"{reply.model} (dim {reply.dimension}, {reply.index_type})"),
        ("index", f"{reply.index_dir} ({reply.index_bytes / 1e6:.1f} MB, {reply.generation})"),
        ("last reindex", f"{reply.last_reindex}" + (" (a reindex is running)" if act and act.reindex_running else "")),
        ("newest article", reply.newest_article),
    ]
    if act is not None:
        rows += [("queries served", act.queries_served),
                 ("feedback", f"{act.feedback_up} up / {act.feedback_down} down")]
        if act.last_refresh:
            rows.append(("last refresh", act.last_refresh))
    lines = [*_rows(rows), "sources:"]
    for s in reply.sources:
        lines.append(f"  {s.name}: {articles(s.articles)}" + ("" if s.ok else f"  FAILING: {s.error}"))
    return "\n".join(lines)
