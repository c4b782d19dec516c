"""What an article itself says in English or in kana about its names, found once per article:

* readings given in parentheses: ``中谷 元(なかたに・げん)`` -> person ``Nakatani Gen`` (and ``中谷`` ->
  ``Nakatani`` for later mentions such as ``中谷大臣``);
* English given in parentheses after a katakana name: ``アトゥル・カレ(Atul Khare)``,
  ``ヤーク・タムサール中将(Lieutenant General Jaak Tamsaar, Commander of the Estonian Defence Forces)`` ->
  person ``Jaak Tamsaar`` (``タムサール`` -> ``Tamsaar``), rank ``Lieutenant General``, and the post named
  before the name (``エストニア国防軍司令官``) -> ``Commander of the Estonian Defence Forces``;
* an English name or abbreviation after a Japanese term: ``日豪円滑化協定(RAA)`` -> ``RAA``;
* a kana reading after a Latin name: ``NMESIS(ネメシス)`` -> ``ネメシス`` is ``NMESIS``.

Every English string here is copied from the article or romanised from a reading the article gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .romaji import romanise_name

_KANJI = r"[\u3400-\u9fff\uf900-\ufaff々ヶ]"
_KATA = r"[ァ-ヺー]"
_HIRA = r"[ぁ-ゖー]"
READING = re.compile(
    rf"(?P<fam>{_KANJI}{{1,5}})[ \u3000]?(?P<given>(?:{_KANJI}|{_HIRA}){{1,5}})"
    rf"\((?P<rf>{_HIRA}+)・(?P<rg>{_HIRA}+)\)"
)
SINGLE_READING = re.compile(rf"(?P<ja>{_KANJI}{{1,8}})\((?P<r>{_HIRA}{{2,}})\)")
# a katakana name, then at most a rank or honorific, then English in parentheses
KATA_EN = re.compile(
    rf"(?P<kata>{_KATA}+(?:[・=＝]{_KATA}+)*)(?P<mid>(?:{_KANJI}|{_HIRA}){{0,4}}?)"
    r"\((?P<en>[A-Z][^()（）]*)\)"
)
TERM_EN = re.compile(rf"(?P<ja>(?:{_KANJI}|{_KATA}|・){{2,}})\((?P<en>[A-Za-z][A-Za-z0-9&\-/.' ]{{0,60}})\)")
LATIN_KANA = re.compile(rf"(?P<en>[A-Z][A-Za-z0-9\-]{{1,30}})\((?P<kana>{_KATA}+)\)")
# the post named right before a person (…司令官のX / …本部長X)
_POST_BEFORE = re.compile(rf"((?:{_KANJI}|{_KATA}|・)+?)の?$")
_TITLES = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Sir", "H.E.", "Gen.", "Adm.", "Lt.", "Col.", "Maj.", "Capt.")
RANK_WORDS = frozenset(
    ["General", "Lieutenant", "Major", "Brigadier", "Colonel", "Captain", "Commander", "Admiral", "Vice", "Rear", "Air", "Marshal", "Chief", "Vice-Admiral", "Rear-Admiral", "Commodore", "Sergeant", "Private", "First", "Second", "Lt.", "Gen.", "Adm.", "Col.", "Maj.", "Capt.", "Sir", "Mr.", "Ms.", "Mrs.", "Dr.", "Prof."]
)


@dataclass(frozen=True)
class Person:
    ja: str  # the name as the article writes it (without the parenthesis)
    en: str  # the name in English or romanised
    rank_en: str = ""  # a rank or title the article gives in English (Lieutenant General, Mr.)
    role_en: str = ""  # a post the article gives in English (Commander of the Estonian Defence Forces)
    post_ja: str = ""  # the Japanese post that English post renders


@dataclass
class ArticleNames:
    """The article's own English for names and terms: ``terms`` maps Japanese surfaces to English."""

    persons: list[Person] = field(default_factory=list)
    terms: dict[str, str] = field(default_factory=dict)  # 中谷 -> Nakatani, 日豪円滑化協定 -> RAA, ...
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, en) of whole name mentions

    def person_for(self, surface: str) -> Person | None:
        for p in self.persons:
            if surface in (p.ja, p.ja.replace(" ", "")) or p.ja.startswith(surface) or p.ja.endswith(surface) \
                    or surface.startswith(p.ja):
                return p
        return None


def _split_english(en: str) -> tuple[str, str, str]:
    """``Lieutenant General Jaak Tamsaar, Commander of …`` -> (``Jaak Tamsaar``, ``Lieutenant General``,
    ``Commander of …``)."""
    head, _, role = en.partition(",")
    words = head.split()
    k = 0
    while k < len(words) - 1 and (words[k] in RANK_WORDS or words[k] in _TITLES):
        k += 1
    return " ".join(words[k:]), " ".join(words[:k]), role.strip()


def _looks_like_name(en: str) -> bool:
    words = en.split()
    return 1 <= len(words) <= 5 and all(w[:1].isupper() or w in ("bin", "van", "de", "der", "von", "da", "al") for w in words)


def find_names(text: str) -> ArticleNames:
    """The names of ``text`` (an article's title and body) that it gives in English or with readings."""
    out = ArticleNames()
    for m in READING.finditer(text):
        en = f"{romanise_name(m.group('rf'))} {romanise_name(m.group('rg'))}"
        ja = m.group("fam") + " " + m.group("given")
        out.persons.append(Person(ja, en))
        out.terms.setdefault(m.group("fam") + m.group("given"), en)
        out.terms.setdefault(m.group("fam"), romanise_name(m.group("rf")))
        out.spans.append((m.start(), m.end(), en))
    for m in KATA_EN.finditer(text):
        name, rank, role = _split_english(m.group("en"))
        if not _looks_like_name(name) or not re.search(r"[a-z]", name):
            continue
        kata = m.group("kata")
        post = ""
        if role:
            before = _POST_BEFORE.search(text[max(0, m.start() - 24) : m.start()])
            post = before.group(1) if before else ""
        out.persons.append(Person(kata, name, rank, role, post))
        out.terms.setdefault(kata, name)
        parts = re.split(r"[・=＝]", kata)
        if len(parts) > 1 and len(name.split()) > 1:
            out.terms.setdefault(parts[-1], name.split()[-1])  # later mentions: the family name alone
            if rank and m.group("mid"):  # タムサール中将 -> Lieutenant General Tamsaar
                out.terms.setdefault(parts[-1] + m.group("mid"), f"{rank} {name.split()[-1]}")
        if post and role:
            out.terms.setdefault(post, role)
        out.spans.append((m.start(), m.end(), f"{rank} {name}".strip()))
    for m in TERM_EN.finditer(text):
        ja, en = m.group("ja").strip("・"), m.group("en").strip()
        if ja[0] in "型級等用的" or any(s <= m.start() < e for s, e, _ in out.spans):
            continue
        if ja not in out.terms:
            out.terms[ja] = en
    for m in LATIN_KANA.finditer(text):
        out.terms.setdefault(m.group("kana"), m.group("en"))
    for m in SINGLE_READING.finditer(text):
        if not any(s <= m.start() < e for s, e, _ in out.spans):
            out.terms.setdefault(m.group("ja"), romanise_name(m.group("r")))
    return out
