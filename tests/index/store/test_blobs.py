"""Blobs written entry by entry are the bytes ``json.dumps`` gives for the whole object (the formats are
contracts), and a stored JSON object is read back entry by entry, whatever the pieces it is decoded in."""

import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from index.models import Article, Event, EventActor
from index.store.blobs import blob_pieces, blob_sha256, blob_size, iter_json_object, write_blob
from index.store.english import english_entries, english_file
from index.store.events import events_file_of
from index.store.headlines import headline_dates, headlines_file
from index.store.meta import dates_to_json
from index.text.english import ArticleEnglish, SentenceEn

OBJ = {"b": {"title_en": "Minister \"meets\" 豪州", "sentences": [[0, 12, "It met.", "s", "w"]], "names": {"防衛": "MOD"}},
       "a": {"n": -1.5e-3, "t": True, "z": None, "l": [1, [2, {}]], "s": "\\u3042 \n"}, "c": [], "日本": "語"}


@pytest.mark.parametrize("piece", [1, 3, 7, 64, 1 << 20])
def test_a_json_object_is_read_entry_by_entry_in_any_pieces(piece):
    raw = json.dumps(OBJ, ensure_ascii=False, sort_keys=True).encode()
    got = list(iter_json_object(raw, piece=piece))
    assert [k for k, _ in got] == sorted(OBJ)
    assert {k: json.loads(v) for k, v in got} == OBJ
    spaced = b' \n{ "x" :\t1 ,"y":[ 2 ] }\n'
    assert list(iter_json_object(spaced, piece=piece)) == [("x", "1"), ("y", "[ 2 ]")]
    assert list(iter_json_object(b"{}", piece=piece)) == []


@pytest.mark.parametrize("bad", [b"", b"[1]", b'{"a": 1', b'{"a" 1}', b'{"a": 1,}', b'{"a": 1} x', b"\xff{}"])
def test_what_is_not_a_json_object_is_refused(bad):
    with pytest.raises(ValueError):
        list(iter_json_object(bad, piece=2))


def test_the_streamed_formats_are_byte_for_byte_the_old_ones():
    english = {"b1": ArticleEnglish("Title \"B\" 護衛艦", [SentenceEn(0, 5, "It sailed.", "s", "wh")], {"いずも": "Izumo"}),
               "a0": ArticleEnglish("Title A")}
    assert english_file(english)[1] == json.dumps({k: v.to_json() for k, v in english.items()},
                                                  ensure_ascii=False, sort_keys=True).encode()
    assert english_file({})[1] == b"{}"
    assert [k for k, _ in english_entries(english_file(english)[1])] == ["a0", "b1"]
    events = [Event("visit", date(2025, 7, 4), None, (EventActor("防衛大臣", "Defense Minister"),), "東京", "Tokyo",
                    "The minister visited.", "https://x/2", "訪問", "x:0"),
              Event("meeting", None, None, (), "", "", "", "https://x/1", "会談", "x:1")]
    assert events_file_of(events)[1] == json.dumps({"events": [e.to_json() for e in events]},
                                                   ensure_ascii=False).encode()
    assert events_file_of([])[1] == b'{"events": []}'
    jst = timezone(timedelta(hours=9))
    arts = [Article(f"https://x/{i}", title, datetime(2025, 7, 8, tzinfo=jst), "本文。")
            for i, title in enumerate(["7月4日の会談", "防衛相、来月訪米へ", "令和7年度予算"])]
    want = {a.id: json.loads(dates_to_json(headline_dates(a))) for a in arts}
    assert any(want.values()) and headlines_file(arts)[1] == json.dumps(want, ensure_ascii=False, sort_keys=True).encode()


def test_a_blob_is_bytes_or_a_file(tmp_path):
    data = bytes(range(256)) * 5000
    f = tmp_path / "blob"
    f.write_bytes(data)
    assert blob_size(f) == blob_size(data) == len(data)
    assert blob_sha256(f) == blob_sha256(data)
    assert b"".join(blob_pieces(f, piece=1000)) == data and len(list(blob_pieces(f, piece=1 << 18))) == 5
    write_blob(f, tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == data
    buf = io.BytesIO()
    buf.write(b"".join(blob_pieces(data)))
    assert buf.getvalue() == data
