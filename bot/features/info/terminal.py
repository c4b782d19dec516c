"""/sources and /stats in the terminal: ``defnews stats`` prints the index's figures this way, and chat adds
the bot's activity after them."""

from __future__ import annotations

from .logic import SourcesReply, StatsReply


def render_sources_terminal(reply: SourcesReply) -> str:
    lines = [f"{reply.articles} articles indexed" + (f", newest {reply.newest}" if reply.newest else "")]
    for s in reply.sources:
        line = f"  {s.name}: {s.articles} articles"
        if s.newest:
            line += f", newest {s.newest}"
        if not s.ok:
            line += f" — FAILING: {s.error}"
        lines.append(line)
    return "\n".join(lines)


def render_stats_terminal(reply: StatsReply) -> str:
    """As ``defnews stats`` prints them; with the bot's activity after them when there is some (chat)."""
    act = reply.activity
    lines = [
        f"articles:      {reply.articles}",
        f"chunks:        {reply.chunks}",
        f"model:         {reply.model} (dim {reply.dimension}, {reply.index_type})",
        f"index:         {reply.index_dir} ({reply.index_bytes / 1e6:.1f} MB, {reply.generation})",
        f"last reindex:  {reply.last_reindex}" + (" (a reindex is running)" if act and act.reindex_running else ""),
        f"newest article: {reply.newest_article}",
        "sources:",
    ]
    for s in reply.sources:
        lines.append(f"  {s.name}: {s.articles} articles" + ("" if s.ok else f"  FAILING: {s.error}"))
    if act is not None:
        lines += [f"queries served: {act.queries_served}",
                  f"feedback:       {act.feedback_up} up / {act.feedback_down} down"]
        if act.last_refresh:
            lines.append(f"last refresh:   {act.last_refresh}")
    return "\n".join(lines)
