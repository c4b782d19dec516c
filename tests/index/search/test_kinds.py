"""What kind of answer a question asks for, and whether a text holds it."""

from __future__ import annotations

import pytest

from index.search.kinds import REQUIRED_TYPES, answer_types, asks_advice, missing_types


@pytest.mark.parametrize(("question", "types"), [
    ("Who visited MOD on July 4?", {"who"}),
    ("With whom did the minister hold talks?", {"who"}),
    ("What will Japan supply under the grant whose notes were exchanged in January?", set()),  # relative
    ("Which GSDF camp did the chief visit the next day?", {"where"}),
    ("In which country was the exercise held?", {"where"}),
    ("During what period were the instructors deployed?", {"when"}),
    ("In the test reported at the symposium, how many drones were disabled?", {"count", "aircraft"}),
    ("What did the minister say when he visited Tokyo?", set()),  # a conjunction, not a question word
    ("対象となった鶏は何羽か。", {"count"}),
    ("派遣期間はいつか", {"when"}),
])
def test_answer_types_read_the_question_word_where_it_asks(question, types):
    assert set(answer_types(question)) == types


def test_what_a_figure_measures_is_asked_and_required():
    types = answer_types("How many Canadian troops joined the exercise?")
    assert types == {"count", "people"} and "people" in REQUIRED_TYPES
    assert missing_types(types, "米軍約1,000人が参加した。") == frozenset()
    assert missing_types(types, "艦艇10隻が参加した。") == {"people"}  # a number, not of people
    assert answer_types("護衛艦の建造費はいくら?") >= {"money"}
    assert missing_types(answer_types("How much did the ship cost?"), "建造費は約480億円。") == frozenset()
    assert answer_types("What is the range of the missile?") >= {"distance"}
    assert answer_types("What is the top speed of the frigate?") >= {"speed"}


def test_a_person_asked_is_required_and_found_in_the_forms_articles_write():
    who = answer_types("Who paid a courtesy call on the minister?")
    assert who == {"who"} and "who" in REQUIRED_TYPES
    for text in ("アトゥル・カレ(Atul Khare)国連事務次長が来日した。", "中谷 元(なかたに・げん)防衛大臣を表敬した。",
                 "大河内 聡氏が署名した。", "Defense Minister NAKATANI Gen stated that", "艦長の2佐が指揮した。"):
        assert missing_types(who, text) == frozenset(), text
    assert missing_types(who, "日本側は大使が署名した。") == {"who"}  # a post, no person


@pytest.mark.parametrize(("question", "types"), [
    ("Which JMSDF destroyer joined the activity on July 6?", {"ship"}),
    ("Which Indian Navy ship exercised with Ikazuchi?", {"ship"}),
    ("Which submarine did the JMSDF send to the exercise?", {"ship", "submarine"}),
    ("新型FFMの1番艦の艦名は何?", {"ship_name"}),
    ("What is the name of the new frigate?", {"ship_name"}),
    ("What's the name of the Japanese ambassador who signed the notes?", {"who"}),
    ("派遣部隊の指揮官の名前は?", {"who"}),
    ("訓練場の名前は?", {"where"}),
])
def test_a_ship_or_a_person_asked_by_name(question, types):
    assert set(answer_types(question)) == types


def test_a_ship_asked_needs_a_ship_name_and_a_submarine_a_submarines():
    ship = answer_types("Which destroyer took part?")
    assert "ship" in REQUIRED_TYPES and missing_types(ship, "護衛艦「ありあけ」が参加した。") == frozenset()
    assert missing_types(ship, "The destroyer JS Ariake took part.") == frozenset()
    assert missing_types(ship, "INS Sunayna joined the exercise.") == frozenset()
    assert missing_types(ship, "Japan offered an upgraded Mogami-class design.") == frozenset()  # a class
    assert missing_types(ship, "改良型のもがみ型護衛艦を提案した。") == frozenset()
    named = answer_types("新型FFMの1番艦の艦名は何?")
    assert missing_types(named, "新型FFMはもがみ型を発展させた艦だ。") == {"ship_name"}  # its class is not its name
    assert missing_types(named, "1番艦は「ゆうばり」と命名された。") == frozenset()
    assert missing_types(ship, "海上自衛隊から護衛艦1隻が参加した。") == {"ship"}  # a count, no name
    sub = answer_types("Which submarine took part?")
    assert missing_types(sub, "護衛艦「ありあけ」が参加した。") == {"submarine"}  # a destroyer does not answer it
    assert missing_types(sub, "潜水艦「じんげい」が参加した。") == frozenset()


@pytest.mark.parametrize(("question", "advice"), [
    ("How do I cook rice in a microwave?", True), ("Where can I buy a cheap laptop?", True),
    ("Recommend a good sushi restaurant in Tokyo", True), ("Tell me a joke", True),
    ("ピアノの練習方法を教えて", True), ("東京駅の近くでおすすめのランチは?", True), ("唐揚げのレシピ", True),
    ("How did the GSDF fight the forest fire?", False), ("Can you tell me who visited MOD on July 4?", False),
    ("陸自はどのような方法で消火したか", False), ("What should Japan do about it, according to the minister?", False),
])
def test_a_request_for_advice_is_not_a_question_about_news(question, advice):
    assert asks_advice(question) is advice
