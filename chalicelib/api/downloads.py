"""A report table as a download: `?format=csv|xlsx&lang=fi|sv|en` on any report route.

    fmt, lang = download_format(call.query())
    if fmt != "json":
        return table_reply(table, fmt, lang, "compliance-2026-11")
    return Reply(body)

An XLSX answer is binary: Chalice base64-encodes it for API Gateway only because
functions/app.py registers `http.BINARY_TYPES`, and only when the request's
Accept header names that type (or `*/*`). API Gateway decodes it only when the
Accept header's first type is a registered one, so a browser download asks for
`Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Literal
from urllib.parse import quote

from chalicelib.api.http import XLSX_TYPE, Reply
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.table_files import LANGS, Lang, Table, render_csv
from chalicelib.files.xlsx import render_xlsx

Format = Literal["json", "csv", "xlsx"]
FileFormat = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("json", "csv", "xlsx")
DEFAULT_LANG: Lang = "fi"
CSV_TYPE = "text/csv; charset=utf-8"
CONTENT_TYPES: Mapping[FileFormat, str] = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}
MAX_STEM = 120
FALLBACK_STEM = "laatu"
_NOT_IN_ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DASHES = re.compile(r"-{2,}")


def download_format(query: Mapping[str, str]) -> tuple[Format, Lang]:
    """`format` (json, the default, csv or xlsx) and `lang` (fi, the default, sv or en)."""
    fmt = query.get("format", "json")
    if fmt not in FORMATS:
        raise InvalidInput("format must be json, csv or xlsx", field="format")
    lang = query.get("lang", DEFAULT_LANG)
    if lang not in LANGS:
        raise InvalidInput("lang must be fi, sv or en", field="lang")
    return fmt, lang


def _readable_stem(stem: str) -> str:
    """The stem without what no file name may hold: controls and quotes go, path
    separators become -, any run of white space one space."""
    kept = "".join(
        "-" if char in "/\\" else " " if char.isspace() else char
        for char in unicodedata.normalize("NFC", stem)
        if char != '"' and (char.isprintable() or char.isspace())
    )
    return " ".join(kept.split()).strip(" .-")[:MAX_STEM] or FALLBACK_STEM


def _ascii_stem(stem: str) -> str:
    """For clients that ignore filename*: ä -> a, anything else outside [A-Za-z0-9._-] -> -."""
    folded = "".join(
        char for char in unicodedata.normalize("NFKD", stem) if not unicodedata.combining(char)
    )
    dashed = _DASHES.sub("-", _NOT_IN_ASCII_NAME.sub("-", folded))
    return dashed.strip(".-")[:MAX_STEM] or FALLBACK_STEM


def content_disposition(stem: str, extension: str) -> str:
    """`attachment` with an ASCII `filename` and the exact name as RFC 5987 `filename*`."""
    readable = _readable_stem(stem)
    ascii_name = f"{_ascii_stem(readable)}.{extension}"
    exact = quote(f"{readable}.{extension}", safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{exact}"


def table_reply(table: Table, fmt: FileFormat, lang: Lang, filename_stem: str) -> Reply:
    """The table as a CSV or XLSX file named `filename_stem` + `.csv` / `.xlsx`."""
    if fmt == "csv":
        body = render_csv(table, lang)
    elif fmt == "xlsx":
        body = render_xlsx(table, lang)
    else:
        raise ValueError(f"not a file format: {fmt!r}")
    return Reply(
        body,
        headers={
            "Content-Type": CONTENT_TYPES[fmt],
            "Content-Disposition": content_disposition(filename_stem, fmt),
        },
    )
