"""What kind of answer a question asks for (a person, a date, a place, a ship, a count, and what a figure
measures: a cost, a number of people, ships, aircraft or times, a distance, a speed), whether a text holds
it, and whether a question asks for advice instead (how do I..., a recipe), which no news article answers."""

from __future__ import annotations

import re

# an English wh-word asks when it opens the question or a clause of it ("In the test ..., how many"), not
# as a relative word inside it ("the grant whose exchange of notes ...")
_OPENS = r"(?:^|[,;:]\s*|\b(?:tell me|know|and|but|to|with|by|for|from|of|in|on|at)\s+)"
_Q_TYPES = {
    "count": re.compile(r"how\s+(?:many|much|long|far)|number\s+of|何(?:人|回|隻|機|名|羽|両|発|件|台|か所|日間|年間|トン|キロ|メートル)"
                        r"|いくつ|どれ(?:くらい|ぐらい|だけ)|何割|何%", re.I),
    "who": re.compile(_OPENS + r"who(?:m|se)?\b|誰|だれ|どなた|name\s+of\s+the\s+(?:[\w-]+\s+){0,4}(?:commander|ambassador|"
                      r"minister|chief|officer|captain|head|director|president|spokes(?:man|person|woman)|pilot|general|"
                      r"admiral|governor)s?\b|(?:司令官|大使|大臣|艦長|隊長|団長|長官|首相|議長|知事|司令|指揮官)の(?:名前|氏名)", re.I),
    "when": re.compile(_OPENS + r"(?:when\b|(?:during|in|on|for|from)?\s*what\s+(?:date|day|time|month|year|period|"
                       r"dates|days)\b)|いつ|何日|何月|何年|何時|期間", re.I),
    "where": re.compile(_OPENS + r"(?:where\b|(?:which|what)\s+(?:[\w-]+\s+){0,2}(?:camp|base|port|city|area|"
                        r"training\s+area|shipyard|airport|prefecture|island|sea|venue|place|location|country)s?\b)"
                        r"|どこ|どの(?:駐屯地|基地|港|演習場|訓練場|造船所|海域|国)|(?:駐屯地|基地|演習場|訓練場|造船所)の(?:名前|名称)", re.I),
    "ship": re.compile(_OPENS + r"(?:which|what)\s+(?:[\w-]+\s+){0,3}(?:ship|vessel|destroyer|frigate|submarine|warship|"
                       r"boat|cruiser|carrier|corvette)s?\b|どの(?:艦|護衛艦|潜水艦|艦艇|船|艇)", re.I),
    # the ship's name itself (艦名は何, the name of the ship): its class does not answer it
    "ship_name": re.compile(r"name\s+of\s+the\s+(?:[\w-]+\s+){0,3}(?:ship|vessel|destroyer|frigate|submarine)\b|艦名|"
                            r"何という(?:艦|船|護衛艦|潜水艦)", re.I),
    "submarine": re.compile(_OPENS + r"(?:which|what)\s+(?:[\w-]+\s+){0,3}submarines?\b|name\s+of\s+the\s+"
                            r"(?:[\w-]+\s+){0,3}submarine\b|どの潜水艦|潜水艦の艦名|何という潜水艦", re.I),
}
# ship prefixes in English text (JS for the JMSDF; HMAS, INS, KRI...: navies the SDF exercises with)
_SHIP_PREFIX = "JS|HMAS|HMNZS|HMCS|HMS|USS|USNS|INS|KRI|BRP|ROKS|FS|ITS|ESPS|SLNS|PNS|RSS|KD|TCG|HNLMS|FGS|CNS|HTMS"
_SHIP_NAME = (r"(?:艦|艇|船|フリゲート)「[^」]{2,12}」|「[ぁ-ゖー]{2,8}」|\b(?:" + _SHIP_PREFIX + r")\s+[A-Z][a-z]+"
              r"|\b(?:destroyer|frigate|submarine|escort ship|ship|vessel|missile boat|cruiser|carrier|corvette)s?"
              r"\s+(?:JS\s+)?[A-Z][a-z]+")
_A_TYPES = {
    "count": re.compile(r"\d[\d,.]*\s*(?:人|名|回|隻|機|羽|両|発|件|台|か所|日間|年間|トン|キロ|km|メートル|m\b|times|"
                        r"personnel|people|aircraft|ships|vessels|sorties|flights|tons|days|percent|%)"
                        r"|[一二三四五六七八九十]+(?:人|名|回|隻|機)", re.I),
    "who": re.compile(r"[(（][ぁ-ゖ]+・[ぁ-ゖ]+[)）]|(?:陸将|海将|空将|中将|大将|少将|准将|大佐|中佐|少佐|大臣|長官|司令官|総監|相)(?:補)?[がはのに、をと]"
                      r"|[ァ-ヺー・]{2,}\s?[(（][A-Z][a-z]+|[一-龥]{1,3}\s?[一-龥]{1,3}\s?(?:氏|さん)|[1-3][佐尉]"
                      r"|\b(?:General|Admiral|Minister|Colonel|Commander|Captain|Ambassador|President|Secretary|"
                      r"Mr\.|Ms\.|Dr\.)\s+[A-Z]", re.I),
    "when": re.compile(r"\d{1,2}月\d{1,2}日|\d{4}年|令和\d+年|(?:January|February|March|April|May|June|July|August|"
                       r"September|October|November|December)\s+\d", re.I),
    "where": re.compile(r"駐屯地|基地|演習場|訓練場|造船所|空港|港|沖|海域|[都道府県市町村]\b|\b(?:Camp|Base|Area|Airport|Port)\b"),
    # a ship's name: Japanese text quotes it (護衛艦「ありあけ」, 「ディポネゴロ」), English text prefixes it; or,
    # for "which frigate (design)", its class (もがみ型, Mogami-class)
    "ship_name": re.compile(_SHIP_NAME),
    "ship": re.compile(_SHIP_NAME + r"|[ぁ-ゖァ-ヺー]{2,8}型(?:護衛艦|潜水艦|駆逐艦|艦|フリゲート)?|\b[A-Z][a-z]+-class\b"),
    # a submarine's name, when a submarine is asked for (a destroyer's name does not answer it)
    "submarine": re.compile(r"潜水艦「[^」]{2,12}」|\bsubmarines?\s+(?:JS\s+)?[A-Z][a-z]+|\b[A-Z][a-z]+\s+\(SS[-\s]?\d"),
}


# what a figure asked for measures: a count of people is not answered by a count of ships, a cost not by a date
_N = r"\d[\d,.]*\s*"
_MEASURES = {  # name: (the question asks for it, the answer holds it)
    "money": (r"how\s+much\b.*\b(?:cost|costs|price|budget|worth|spend|spent|pay|paid|grant|amount)\b|"
              r"\b(?:cost|price|budget|amount)\b.*\bhow\s+much\b|建造費|費用|予算|金額|価格|供与額|総額|いくら",
              _N + r"(?:億|万)?\s*円|\d+(?:億|万)円|(?:yen|dollars|USD)\s*\d|\$\s*\d|"
              + _N + r"(?:million|billion)?\s*(?:yen|dollars)"),
    "people": (r"how\s+many\s+(?:[\w-]+\s+){0,2}(?:people|personnel|troops|soldiers|members|sailors|staff|officers|"
               r"crew|participants|attendees|students|instructors|guests)\b|何人|何名",
               _N + r"(?:人|名)|" + _N + r"(?:people|personnel|troops|soldiers|members|sailors|officers)|"
               r"[一二三四五六七八九十百千]+(?:人|名)"),
    "ships": (r"how\s+many\s+(?:[\w-]+\s+){0,2}(?:ships|vessels|destroyers|frigates|submarines|boats)\b|何隻",
              _N + r"隻|" + _N + r"(?:ships|vessels|destroyers|frigates|submarines|boats)|[一二三四五六七八九十]+隻"),
    "aircraft": (r"how\s+many\s+(?:[\w-]+\s+){0,2}(?:aircraft|planes|jets|fighters|helicopters|drones|launchers|"
                 r"missiles|units)\b|何機|何基|何発",
                 _N + r"(?:機|基|発)|" + _N + r"(?:aircraft|planes|jets|fighters|helicopters|drones|launchers|missiles)"),
    "times": (r"how\s+many\s+(?:[\w-]+\s+){0,2}(?:times|sorties|flights|scrambles|launches|rounds)\b|何回|何度",
              _N + r"(?:回|度)|" + _N + r"(?:times|sorties|flights|scrambles|launches|rounds)"),
    "distance": (r"\b(?:range|how\s+far|distance)\b|射程|距離|何キロ",
                 _N + r"(?:km|キロ|海里|マイル|miles|nautical\s+miles|kilometers|kilometres)"),
    "speed": (r"\b(?:speed|velocity|how\s+fast)\b|速力|速度|マッハ",
              _N + r"(?:ノット|knots|km/h|キロ毎時|m/s|メートル毎秒)|マッハ\s*\d|Mach\s*\d"),
}
_MEASURE_Q = {k: re.compile(q, re.I) for k, (q, _) in _MEASURES.items()}
_A_TYPES.update({k: re.compile(a, re.I) for k, (_, a) in _MEASURES.items()})


# a request for advice or instructions (how do I..., where can I..., a recipe, a recommendation): about the
# asker's own doing, which no news article answers ("how did the GSDF fight the fire?" is news: not these)
_ADVICE = re.compile(
    r"\bhow\s+(?:do|can|should|could|would)\s+(?:i|we)\b|\bhow\s+to\b|\b(?:where|when)\s+(?:can|should)\s+i\b"
    r"|\bwhat\s+should\s+(?:i|we)\b|^\s*should\s+i\b|\brecommend|\bsuggest\s+(?:a|an|some)\b"
    r"|\b(?:write|compose)\s+(?:me\s+)?(?:a|an|some)\b|\btranslate\b|\btell\s+me\s+a\s+joke\b"
    r"|(?:方法|やり方|行き方|使い方|コツ)(?:を教えて|は[?？]?$|が知りたい)|作り方|レシピ|おすすめ|お勧め|オススメ",
    re.I)


def asks_advice(question: str) -> bool:
    """Whether the question asks for advice or instructions rather than about news (see ``_ADVICE``)."""
    return bool(_ADVICE.search(question))


def answer_types(question: str) -> frozenset[str]:
    """The kinds of answer a question asks for: count, who, when, where, a ship (a submarine); and what a
    figure asked for measures (money, people, ships, aircraft, times, distance, speed: a "count" then too)."""
    types = {k for k, rx in _Q_TYPES.items() if rx.search(question)}
    measures = {k for k, rx in _MEASURE_Q.items() if rx.search(question)}
    return frozenset(types | measures | ({"count"} if measures else set()))


def _kinds(types: frozenset[str]) -> list[str]:
    """The kinds to look for: a count whose measure is asked is looked for as that measure only, a ship of
    the kind asked (a submarine) as that kind only, a ship whose name is asked by its name only."""
    return [t for t in types if not (t == "count" and types & _MEASURES.keys())
            and not (t == "ship" and types & {"submarine", "ship_name"}) and not (t == "ship_name" and "submarine" in types)]


def missing_types(types: frozenset[str], text: str) -> frozenset[str]:
    """The kinds of answer asked for that ``text`` does not hold (people for "how many troops", not any count)."""
    return frozenset(t for t in _kinds(types) if not _A_TYPES[t].search(text))


def answer_type_match(types: frozenset[str], text: str) -> float:
    """1.0 when ``text`` holds something of every kind asked for, a share otherwise (0 if none asked)."""
    kinds = _kinds(types)
    return 1.0 - len(missing_types(types, text)) / len(kinds) if kinds else 0.0


# the kinds of answer a passage must hold to be an answer: what a figure measures, dates, people (a name
# with its reading, title or rank) and ships (a quoted or prefixed name), which the text writes in few ways
# (a place in too many to require one)
REQUIRED_TYPES = frozenset({"when", "who", "ship", "ship_name", "submarine", *_MEASURES})
