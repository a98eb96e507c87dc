"""A batch file's bytes as text: the encodings spreadsheets on Finnish and Swedish
machines write, told apart without asking the auditor."""

from __future__ import annotations

import codecs
import re
import unicodedata

from chalicelib.domain.batch.problems import FileRejected

# A real multi-byte UTF-8 character beside the stray bytes (kept as U+DC80-U+DCFF by
# surrogateescape) says the file is UTF-8: a Windows-1252 file has none, as its ä is
# one byte, never followed by what UTF-8 continues with.
_UTF8_CHARACTER = re.compile("[^\x00-\x7f\udc80-\udcff]")


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252.

    A UTF-8 file with a few bytes that are not UTF-8 (a cell pasted from another
    program) keeps each such byte as a lone surrogate, which the text rule refuses
    in its own cell: that row is rejected and the others import, where reading the
    whole file as Windows-1252 would garble every ä of every row."""
    if data.startswith(codecs.BOM_UTF8):
        return _normal(data[len(codecs.BOM_UTF8) :].decode("utf-8", "surrogateescape")), "utf-8-sig"
    for bom, codec in (
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _normal(data.decode(codec)), codec
            except UnicodeDecodeError:
                raise FileRejected(
                    "unreadable_encoding", f"the file starts with a {codec} mark but is not {codec}"
                ) from None
    try:
        return _normal(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "surrogateescape")
    if _UTF8_CHARACTER.search(text):
        return _normal(text), "utf-8"
    try:
        # Excel's "CSV" on a Finnish or Swedish Windows is Windows-1252.
        return _normal(data.decode("windows-1252")), "windows-1252"
    except UnicodeDecodeError:
        raise FileRejected(
            "unreadable_encoding", "the file is neither UTF-8 nor Windows-1252 text"
        ) from None


def _normal(text: str) -> str:
    # A Mac writes ä as a + combining diaeresis; one spelling makes "kyllä" match.
    return unicodedata.normalize("NFC", text)
