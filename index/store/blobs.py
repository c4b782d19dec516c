"""A generation's named blobs as a writer hands them over (bytes, a file, or an open binary file such as an
unnamed temporary one, read from its start in pieces), and JSON blobs written entry by entry: the same bytes
``json.dumps`` gives for the whole object, without holding it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

PIECE = 1 << 20  # bytes read from a blob file at a time

Blob = bytes | Path | BinaryIO


def blob_size(blob: Blob) -> int:
    if isinstance(blob, (bytes, bytearray, memoryview)):
        return len(blob)
    if isinstance(blob, Path):
        return blob.stat().st_size
    blob.flush()
    return os.fstat(blob.fileno()).st_size


def blob_pieces(blob: Blob, piece: int = PIECE) -> Iterator[bytes]:
    """The blob's bytes, at most ``piece`` at a time (an open file: from its start)."""
    if isinstance(blob, (bytes, bytearray, memoryview)):
        yield bytes(blob)
        return
    if isinstance(blob, Path):
        with open(blob, "rb") as fh:
            yield from _read_pieces(fh, piece)
        return
    blob.flush()
    blob.seek(0)
    yield from _read_pieces(blob, piece)


def _read_pieces(fh: BinaryIO, piece: int) -> Iterator[bytes]:
    while data := fh.read(piece):
        yield data


def blob_sha256(blob: Blob) -> str:
    h = hashlib.sha256()
    for data in blob_pieces(blob):
        h.update(data)
    return h.hexdigest()


def write_blob(blob: Blob, path: Path) -> None:
    """Write the blob to ``path`` (a file blob is copied in pieces)."""
    if isinstance(blob, Path):
        shutil.copyfile(blob, path)
        return
    with open(path, "wb") as out:
        for data in blob_pieces(blob):
            out.write(data)


def write_json_object(entries: Iterable[tuple[str, str]], fh: BinaryIO) -> None:
    """``{"key": value, ...}`` from (key, value as JSON text) pairs, in the order given: with the pairs
    sorted by key and each value ``json.dumps(v, ensure_ascii=False, sort_keys=True)``, the bytes of
    ``json.dumps(obj, ensure_ascii=False, sort_keys=True)``."""
    fh.write(b"{")
    sep = b""
    for key, value in entries:
        fh.write(sep + json.dumps(key, ensure_ascii=False).encode("utf-8") + b": " + value.encode("utf-8"))
        sep = b", "
    fh.write(b"}")


def write_json_list(items: Iterable[str], fh: BinaryIO) -> None:
    """``[item, ...]`` from items as JSON text: the bytes ``json.dumps`` gives for the list."""
    fh.write(b"[")
    sep = b""
    for item in items:
        fh.write(sep + item.encode("utf-8"))
        sep = b", "
    fh.write(b"]")


def iter_json_object(data: bytes, piece: int = PIECE) -> Iterator[tuple[str, str]]:
    """(key, value as JSON text) of each entry of the JSON object ``data``, decoded a piece at a time (the
    whole text is never one string). Raises ValueError when ``data`` is not a JSON object."""
    import codecs

    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    view, fed = memoryview(data), 0
    buf, pos = "", 0

    def more() -> bool:
        nonlocal buf, pos, fed
        if fed >= len(view):
            return False
        text = utf8.decode(view[fed : fed + piece], final=fed + piece >= len(view))
        fed += piece
        buf, pos = buf[pos:] + text, 0
        return True

    def skip_ws() -> str:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\n\r":
                pos += 1
            if pos < len(buf):
                return buf[pos]
            if not more():
                return ""

    def value() -> tuple[object, str]:
        nonlocal pos
        while True:
            try:
                got, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError:
                if more():  # maybe cut off at the end of what is decoded so far: decode more, try again
                    continue
                raise
            if end == len(buf) and more():  # a number may go on in the next piece
                continue
            text, pos = buf[pos:end], end
            return got, text

    if skip_ws() != "{":
        raise ValueError("not a JSON object")
    pos += 1
    if skip_ws() == "}":
        pos += 1
    else:
        while True:
            key, _ = value()
            if not isinstance(key, str) or skip_ws() != ":":
                raise ValueError("not a JSON object")
            pos += 1
            skip_ws()
            _, text = value()
            yield key, text
            sep = skip_ws()
            pos += 1
            if sep == "}":
                break
            if sep != ",":
                raise ValueError("not a JSON object")
            skip_ws()
    if skip_ws() != "":
        raise ValueError("text after the JSON object")
