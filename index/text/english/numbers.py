"""Japanese quantities, ordinals and clock times in English: ``約4万1,000羽`` -> ``about 41,000 birds``,
``計6機`` -> ``a total of 6 aircraft``, ``第43`` -> ``43rd``, ``10番艦`` -> ``10th ship``, ``午後8時ごろ`` ->
``around 8 p.m.``. Every figure is the text's own figure, only re-written (万/億 multiplied out).

Works on NFKC text (ASCII digits); offsets are those of the text given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"\d[\d,]*(?:\.\d+)?(?:兆\d[\d,]*)?(?:億\d[\d,]*)?(?:万\d[\d,]*)?(?:[万億兆千])?"
# counter -> (singular, plural); "" means the number stands alone
COUNTERS: dict[str, tuple[str, str]] = {
    "人": ("person", "personnel"), "名": ("person", "personnel"), "回": ("time", "times"),
    "隻": ("ship", "ships"), "機": ("aircraft", "aircraft"), "羽": ("bird", "birds"), "頭": ("head", "head"),
    "件": ("case", "cases"), "台": ("unit", "units"), "両": ("vehicle", "vehicles"), "発": ("round", "rounds"),
    "か所": ("site", "sites"), "カ所": ("site", "sites"), "箇所": ("site", "sites"), "か国": ("country", "countries"),
    "カ国": ("country", "countries"), "ヵ国": ("country", "countries"), "日間": ("day", "days"),
    "時間": ("hour", "hours"), "週間": ("week", "weeks"), "か月": ("month", "months"), "カ月": ("month", "months"),
    "年間": ("year", "years"), "トン": ("ton", "tons"), "キロメートル": ("km", "km"), "キロ": ("km", "km"),
    "メートル": ("m", "m"), "センチ": ("cm", "cm"), "ヘクタール": ("hectare", "hectares"),
    "ノット": ("knot", "knots"), "円": ("yen", "yen"), "ドル": ("dollar", "dollars"), "%": ("percent", "percent"),
    "パーセント": ("percent", "percent"), "分野": ("field", "fields"), "日": ("day", "days"),
    "分": ("minute", "minutes"), "歳": ("years old", "years old"), "チーム": ("team", "teams"), "部隊": ("unit", "units"),
    "社": ("company", "companies"), "基": ("launcher", "launchers"), "門": ("gun", "guns"), "匹": ("animal", "animals"),
}
_COUNTER_RX = "|".join(sorted(map(re.escape, COUNTERS), key=len, reverse=True))
_PREFIX = {"約": "about", "およそ": "about", "計": "a total of", "合計": "a total of", "延べ": "a cumulative",
           "最大": "up to", "最大で": "up to", "最大で約": "up to about", "少なくとも": "at least", "計約": "a total of about",
           "延べ約": "a cumulative total of about"}
_PREFIX_RX = "|".join(sorted(map(re.escape, _PREFIX), key=len, reverse=True))
_SUFFIX = {"以上": "more than", "余り": "more than", "超": "more than", "未満": "fewer than", "程度": "about",
           "前後": "about", "ほど": "about"}

QUANTITY = re.compile(
    rf"(?P<pre>{_PREFIX_RX})?(?P<num>{_NUM})(?P<counter>{_COUNTER_RX})?(?P<suf>以上|余り|超|未満|程度|前後|ほど)?"
)
ORDINAL = re.compile(rf"第(?P<n>{_NUM})(?P<unit>次|回|番|期)?|(?P<n2>\d+)(?P<unit2>番艦|番目|回目|例目|次隊|期目)")
FRACTION = re.compile(r"(?P<pre>約)?(?P<d>\d+)分の(?P<n>\d+)")
TYPE = re.compile(r"(?<![\d.])(?P<n>\d{1,3})式")
CLOCK = re.compile(r"(?P<ampm>午前|午後)?(?P<h>\d{1,2})時(?:(?P<m>\d{1,2})分|(?P<half>半))?(?P<approx>ごろ|頃)?")
_SMALL = {"万": 10_000, "億": 100_000_000, "兆": 1_000_000_000_000, "千": 1_000}


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    english: str
    value: float | None  # the number itself (None for clock times)


def parse_number(text: str) -> float | None:
    """``4万1,000`` -> 41000, ``3億`` -> 300000000, ``1.5`` -> 1.5; None if it is not a number."""
    text = text.replace(",", "")
    total = 0.0
    rest = text
    for unit in ("兆", "億", "万"):
        if unit in rest:
            head, rest = rest.split(unit, 1)
            try:
                total += float(head) * _SMALL[unit]
            except ValueError:
                return None
    if rest.endswith("千"):
        try:
            return total + float(rest[:-1]) * 1000
        except ValueError:
            return None
    if rest:
        try:
            total += float(rest)
        except ValueError:
            return None
    return total


def format_number(value: float) -> str:
    """41000 -> ``41,000``; 1.5 -> ``1.5``; 48000000000 -> ``48 billion``; 300000000 -> ``300 million``."""
    if value >= 1_000_000_000_000 and value % 100_000_000_000 == 0:
        return f"{value / 1_000_000_000_000:g} trillion"
    if value >= 1_000_000_000 and value % 100_000_000 == 0:
        v = value / 1_000_000_000
        return f"{v:g} billion"
    if value >= 1_000_000 and value % 100_000 == 0:
        v = value / 1_000_000
        return f"{v:g} million"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _quantity_english(m: re.Match[str]) -> str | None:
    value = parse_number(m.group("num"))
    if value is None:
        return None
    counter = m.group("counter")
    words = []
    if m.group("pre"):
        words.append(_PREFIX[m.group("pre")])
    if m.group("suf"):
        words.append(_SUFFIX[m.group("suf")])
    bare = not (counter or m.group("pre") or m.group("suf"))
    words.append(str(int(value)) if bare and value == int(value) and 1900 <= value <= 2100 else format_number(value))
    if counter:
        sing, plur = COUNTERS[counter]
        words.append(sing if value == 1 else plur)
    return " ".join(words)


def _clock_english(m: re.Match[str]) -> str | None:
    h = int(m.group("h"))
    if h > 24:
        return None
    mins = 30 if m.group("half") else int(m.group("m") or 0)
    ampm = m.group("ampm")
    if ampm is None:
        text = f"{h:02d}:{mins:02d}" if mins or h > 12 else f"{h}:00"
    else:
        text = (f"{h}:{mins:02d}" if mins else f"{h}") + (" a.m." if ampm == "午前" else " p.m.")
    return ("around " + text) if m.group("approx") else text


def find_quantities(text: str) -> list[Quantity]:
    """Clock times, ordinals and counted quantities of ``text``, in order, not overlapping."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in FRACTION.finditer(text):
        en = ("about " if m.group("pre") else "") + f"{m.group('n')}/{m.group('d')}"
        found.append(Quantity(m.start(), m.end(), en, None))
        taken.append((m.start(), m.end()))
    for m in TYPE.finditer(text):
        if free(m.start(), m.end()):
            found.append(Quantity(m.start(), m.end(), f"Type {m.group('n')}", None))
            taken.append((m.start(), m.end()))
    for m in CLOCK.finditer(text):
        if not free(m.start(), m.end()):
            continue
        if (m.group("ampm") or m.group("m") or m.group("approx")) and (en := _clock_english(m)):
            found.append(Quantity(m.start(), m.end(), en, None))
            taken.append((m.start(), m.end()))
    for m in ORDINAL.finditer(text):
        n = parse_number(m.group("n") or m.group("n2"))
        if n is None or n != int(n) or not free(m.start(), m.end()):
            continue
        unit = m.group("unit") or m.group("unit2") or ""
        noun = {"番艦": " ship", "例目": " case", "次隊": " rotation", "回目": " time", "期目": " term"}.get(unit, "")
        found.append(Quantity(m.start(), m.end(), ordinal(int(n)) + noun, n))
        taken.append((m.start(), m.end()))
    for m in QUANTITY.finditer(text):
        bare = not (m.group("counter") or m.group("pre") or m.group("suf"))
        if bare and re.match(r"[\u3400-\u9fffァ-ヺ]", text[m.end() : m.end() + 1]):
            continue  # a figure glued to a word we do not know (1佐職): not a quantity we can name
        if not free(m.start(), m.end()) or not (en := _quantity_english(m)):
            continue
        found.append(Quantity(m.start(), m.end(), en, parse_number(m.group("num"))))
        taken.append((m.start(), m.end()))
    return sorted(found, key=lambda q: q.start)


def figures(text: str) -> set[str]:
    """Every figure of ``text`` as digits without separators (``4万1,000`` -> ``41000``), for checking that an
    English rendering names no figure the text does not."""
    out = set()
    for m in re.finditer(_NUM, text):
        v = parse_number(m.group())
        if v is not None:
            out.add(format_number(v).replace(",", ""))
            out.add(f"{v:g}" if v != int(v) else str(int(v)))
            out.add(format_number(v).split()[0].replace(",", ""))
    if re.search(r"\d時半", text):
        out.add("30")
    return out
