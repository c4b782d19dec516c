"""/ask and its buttons, driven with stand-in interactions (no gateway; e2e tests do that)."""

from __future__ import annotations

import pytest

from bot.core.errors import CooldownRefused
from bot.discord.boundary import report_interaction_error
from bot.features.ask.discord import handle_ask, on_button
from bot.features.messages import NO_MENTIONS
from index.errors import InvalidQueryError

from ...standins import Interaction, app_error, check_sent


async def test_ask_defers_then_answers_with_embed_and_buttons(bot, state):
    inter = Interaction(bot)
    await handle_ask(inter, "Who visited MOD on July 4?", None, None, None, None)
    assert inter.response.calls == [("defer", False, True)]
    (_content, kw), = inter.followup.sent
    check_sent(kw)
    embed = kw["embeds"][0]
    assert "un-operational-support-usg-khare-visit" in embed.description
    assert embed.footer.text.endswith("showing 1–3")
    ids = [item.custom_id for item in kw["view"].children]
    assert ids == ["defnews:ask:more:1:3", "defnews:ask:src:1:0", "defnews:ask:up:1:0", "defnews:ask:down:1:0"]
    assert state.counter("queries_served") == 1
    assert inter.extras["thinking"] is False


async def test_refusals_come_before_deferring_and_are_ephemeral(bot):
    inter = Interaction(bot)
    with pytest.raises(InvalidQueryError):
        await handle_ask(inter, "x" * 301, None, None, None, None)
    assert inter.response.calls == []
    await report_interaction_error(inter, app_error(InvalidQueryError("the question is too long")))
    assert inter.response.calls == [("send", "The question is too long", {"ephemeral": True,
                                     "allowed_mentions": NO_MENTIONS})]
    # per-user cooldown (rate 2 in the test settings)
    for _ in range(2):
        await handle_ask(Interaction(bot, user_id=77), "護衛艦", None, None, None, None)
    late = Interaction(bot, user_id=77)
    with pytest.raises(CooldownRefused):
        await handle_ask(late, "護衛艦", None, None, None, None)
    assert late.response.calls == []
    # unknown section: refused privately too
    with pytest.raises(Exception, match="no section"):
        await handle_ask(Interaction(bot, user_id=78), "護衛艦", None, None, "nope", None)


async def test_buttons_page_show_sources_and_record_feedback(bot, state):
    first = Interaction(bot)
    await handle_ask(first, "Who visited MOD on July 4?", None, None, None, 2)
    more = Interaction(bot, user_id=6)
    await on_button(more, "more", 1, 2)
    assert more.response.calls == [("defer", False, False)]
    (edit,) = more.edits
    assert edit["embeds"][0].footer.text.endswith("showing 3–4")
    assert next(i.custom_id for i in edit["view"].children) == "defnews:ask:more:1:4"
    src = Interaction(bot)
    await on_button(src, "src", 1, 0)
    (_content, kw), = src.followup.sent
    assert kw["ephemeral"] is True and kw["embeds"][0].title == "Sources"
    assert kw["embeds"][0].description.count("](https://") == 2
    vote = Interaction(bot, user_id=8)
    await on_button(vote, "down", 1, 0)
    assert "recorded" in vote.response.calls[0][1]
    assert state.feedback_counts() == {"up": 0, "down": 1}
    gone = Interaction(bot)
    with pytest.raises(Exception, match="ask it again"):
        await on_button(gone, "more", 99, 3)
