"""An auditor's batch file, read into evaluation bodies: pure rules, no I/O.

A file is CSV (as Finnish and Swedish spreadsheets write it: `;` or `,`, UTF-8
with or without a BOM, or Windows-1252, quoted fields with newlines) or JSON
Lines, one evaluation per row. `read_file` turns the bytes into `SourceRow`s or
refuses the whole file (`FileRejected`) before any row is looked at: empty,
over 20 MB, over 50,000 rows, unreadable, a required column missing.
`parse_row` turns one row into the body `POST /v1/evaluations` takes, or into
every problem the row has, each with its column, so an auditor can fix a
rejected row in one go. The body then goes through the ordinary evaluation
path (schema, form version, scoring); nothing here scores or stores.

Local times without an offset are read in the tenant's time zone: a time in
the spring-forward gap does not exist and is refused; a time in the autumn
overlap happened twice and is taken as the first (summer time), with a warning.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from chalicelib.domain.csv_cells import safe_text_cell
from chalicelib.domain.forms import Form
from chalicelib.domain.text import refused_character

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000

REQUIRED_COLUMNS = (
    "external_id",
    "form_id",
    "form_version",
    "agent_id",
    "channel",
    "contact_id",
    "occurred_at",
)
OPTIONAL_COLUMNS = ("duration_s", "recording_url", "summary")
FIXED_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# `answer:<id>` names a criterion whose id is also a fixed column's name ("summary");
# a plain `<id>` column is the usual spelling.
ANSWER_PREFIX = "answer:"
COMMENT_PREFIX = "comment:"
METHOD = "external"
CHANNELS = ("phone", "email", "chat", "social")

# Spreadsheets in Finland and Sweden answer in their own words; matched case-insensitively.
ANSWER_WORDS: Mapping[str, str] = {
    "yes": "yes",
    "no": "no",
    "na": "na",
    "n/a": "na",
    "kyllä": "yes",
    "ei": "no",
    "ohita": "na",
    "ja": "yes",
    "nej": "no",
    "hoppa över": "na",
}

# Kept equal to chalicelib/schemas/evaluation.schema.json (a unit test checks).
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
AGENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
RECORDING_URL = re.compile(r"https?://\S+")
MAX_EXTERNAL_ID = 200
MAX_CONTACT_ID = 200
MAX_RECORDING_URL = 2000
MAX_SUMMARY = 5000
MAX_COMMENT = 2000
MAX_DURATION_S = 86400
MAX_FORM_VERSION = 999_999
# When Python's recursive JSON parser gives up (near 1,000 levels), the member whose
# value nests deeper than this is the one refused; the rest of the line is read.
MAX_JSON_DEPTH = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DIGITS = re.compile(r"[0-9]{1,9}")

# Local date-times as spreadsheets write them: ISO (2026-11-02 10:15[:00]) or
# Finnish (2.11.2026 10.15 / 10:15, optionally "klo" before the time). ASCII digits
# only: `\d` would also take Arabic-Indic and other Unicode digits.
_ISO_LOCAL = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[T ]+"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?",
    re.ASCII,
)
_FINNISH_LOCAL = re.compile(
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\s+(?:klo\s+)?"
    r"(?P<H>\d{1,2})[.:](?P<M>\d{2})(?:[.:](?P<S>\d{2}))?",
    re.ASCII,
)
_HAS_OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$", re.ASCII)
# JSON Lines end in "\n" (or "\r\n"); str.splitlines would also split at U+2028,
# U+0085 and the like, which are allowed raw inside a JSON string.
_JSON_LINE_END = re.compile(r"\r\n|\r|\n")

Format = Literal["csv", "jsonl"]
_DELIMITERS = (";", ",", "\t")
# A real multi-byte UTF-8 character beside the stray bytes (kept as U+DC80-U+DCFF by
# surrogateescape) says the file is UTF-8: a Windows-1252 file has none, as its ä is
# one byte, never followed by what UTF-8 continues with.
_UTF8_CHARACTER = re.compile("[^\x00-\x7f\udc80-\udcff]")

# A cell over the csv module's default 128 KiB would raise csv.Error and refuse the
# whole file; allowed up to the file limit, it is one row's too-long cell instead.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row (or a warning about it), at the column it is in."""

    column: str | None
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "code": self.code, "message": self.message}


class FileRejected(Exception):
    """The whole file is refused before any row is imported."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SourceRow:
    """One row as read: `row` is the number a spreadsheet shows (the header is row 1)
    or the JSON Lines line number; `cells` holds the non-empty cells, trimmed.
    A cell that could not be read is left out of `cells` and has its problem in
    `problems`, under its column."""

    row: int
    cells: Mapping[str, str]
    problems: tuple[Problem, ...] = ()

    @property
    def external_id(self) -> str:
        return self.cells.get("external_id", "")


@dataclass(frozen=True)
class BatchFile:
    format: Format
    encoding: str
    delimiter: str | None
    columns: tuple[str, ...]
    rows: tuple[SourceRow, ...]


@dataclass(frozen=True)
class ParsedRow:
    """A row read against its form version: an evaluation body, or its problems."""

    row: int
    external_id: str
    body: dict[str, Any] | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    # Where each answer came from, to name the column of a later problem.
    answer_columns: Mapping[str, str] = field(default_factory=dict)

    def column_of(self, field_path: str | None) -> str | None:
        """The column behind a field of the evaluation body (`contact.id` -> `contact_id`)."""
        if not field_path:
            return None
        head, _, rest = field_path.partition(".")
        if head == "answers" and rest:
            return self.answer_columns.get(rest, rest)
        if head == "comments" and rest:
            return COMMENT_PREFIX + rest
        if head == "contact":
            return {"id": "contact_id"}.get(rest, rest or None)
        return head


# Reading the file ---------------------------------------------------------------------


def read_file(data: bytes, name: str = "") -> BatchFile:
    """Decode and split a batch file into rows; raises FileRejected for a bad file."""
    if not data.strip():
        raise FileRejected("empty_file", "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise FileRejected(
            "file_too_large",
            f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} (20 MB)",
        )
    text, encoding = decode(data)
    if _is_json_lines(text, name):
        return _read_json_lines(text, encoding)
    return _read_csv(text, encoding)


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


def _is_json_lines(text: str, name: str) -> bool:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in ("jsonl", "ndjson"):
        return True
    if suffix in ("csv", "txt"):
        return False
    return text.lstrip().startswith("{")


def _too_many(count: int) -> FileRejected:
    return FileRejected(
        "too_many_rows",
        f"the file has more than {MAX_ROWS:,} rows; split it into files of at most "
        f"{MAX_ROWS:,} rows",
    )


def _read_csv(text: str, encoding: str) -> BatchFile:
    delimiter = sniff_delimiter(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[SourceRow] = []
    columns: tuple[str, ...] | None = None
    try:
        for number, record in enumerate(records, start=1):
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue  # blank lines and the ";;;;" rows spreadsheets leave behind
            if columns is None:
                columns = _header(cells)
                continue
            if len(rows) == MAX_ROWS:
                raise _too_many(len(rows) + 1)
            rows.append(_csv_row(number, columns, record))
    except csv.Error as exc:
        raise FileRejected("unreadable_file", f"the file is not readable CSV: {exc}") from None
    if columns is None:
        raise FileRejected("empty_file", "the file is empty")
    if not rows:
        raise FileRejected("empty_file", "the file has a header row but no evaluation rows")
    return BatchFile("csv", encoding, delimiter, columns, tuple(rows))


def sniff_delimiter(text: str) -> str:
    """`;` or `,` (or a tab): the one that splits the header into the most known columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")

    def score(delimiter: str) -> tuple[int, int]:
        fields = next(csv.reader([first], delimiter=delimiter), [])
        names = {_column_name(f) for f in fields}
        return len(names & set(FIXED_COLUMNS)), len(fields)

    return max(_DELIMITERS, key=score)


def _column_name(raw: str) -> str:
    return raw.strip().lstrip("\ufeff").strip().lower()


def _header(cells: Sequence[str]) -> tuple[str, ...]:
    columns = tuple(_column_name(cell) for cell in cells)
    seen: set[str] = set()
    for name in columns:
        if name and name in seen:
            raise FileRejected("duplicate_column", f"the column '{name}' appears twice")
        seen.add(name)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        raise FileRejected(
            "missing_columns",
            f"the header row lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; the template for the form version has them all",
        )
    return columns


def _csv_row(number: int, columns: Sequence[str], cells: Sequence[str]) -> SourceRow:
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for index, raw in enumerate(cells):
        cell = raw.strip()
        if not cell:
            continue
        if index >= len(columns):
            problems.append(
                Problem(
                    None,
                    "extra_cells",
                    f"the row has {len(cells)} cells but the header has {len(columns)} columns",
                )
            )
            break
        if not columns[index]:
            problems.append(
                Problem(None, "unnamed_column", f"cell {index + 1} has a value but no column name")
            )
            continue
        # Checked before trimming: strip() would silently drop some controls (U+001C-U+001F).
        refused = _refused_cell(columns[index], raw)
        if refused is not None:
            problems.append(refused)
            continue
        values[columns[index]] = cell
    return SourceRow(number, values, tuple(problems))


def _refused_cell(column: str, value: str) -> Problem | None:
    """The project's one rule for text (chalicelib/domain/text.py), as a row problem."""
    found = refused_character(value)
    if found is None:
        return None
    return Problem(
        column,
        "invalid_character",
        f"'{column}' contains a character that is not allowed ({found})",
    )


def _read_json_lines(text: str, encoding: str) -> BatchFile:
    rows: list[SourceRow] = []
    columns: dict[str, None] = {}
    for number, line in enumerate(_JSON_LINE_END.split(text), start=1):
        if not line.strip():
            continue
        if len(rows) == MAX_ROWS:
            raise _too_many(len(rows) + 1)
        row = _json_row(number, line)
        columns.update(dict.fromkeys(row.cells))
        rows.append(row)
    if not rows:
        raise FileRejected("empty_file", "the file has no evaluation rows")
    return BatchFile("jsonl", encoding, None, tuple(columns), tuple(rows))


class _Members(list[tuple[str, Any]]):
    """A JSON object's members in order, a repeated key kept, so it can be refused
    (a dict would silently keep the last)."""


def _json_row(number: int, line: str) -> SourceRow:
    problems: list[Problem] = []
    while True:
        try:
            # Numbers stay their digits, checked by the column's rule like a CSV cell
            # (int() refuses over 4300 digits); raw control characters reach the text
            # rule, which names the column, instead of failing the whole line.
            value = json.loads(line, object_pairs_hook=_Members, parse_int=str, strict=False)
            break
        except RecursionError:
            # Python's parser recurses: the deep value becomes null and its column a
            # problem, so the rest of the row is still read and checked.
            deep = _deep_value(line)
            if deep is None or deep[0] is None:
                return SourceRow(number, {}, (_deep_problem(None),))
            column, start, end = deep
            problems.append(_deep_problem(column))
            line = line[:start] + "null" + line[end:]
        except ValueError as exc:
            return SourceRow(number, {}, (Problem(None, "malformed_json", f"not JSON: {exc}"),))
    if not isinstance(value, _Members):
        return SourceRow(
            number, {}, (Problem(None, "malformed_json", "a line must be one JSON object"),)
        )
    cells: dict[str, str] = {}
    seen: set[str] = set()
    for key, raw in value:
        name = _column_name(key)
        found = refused_character(name)
        if found is not None:
            spelled = _spelled(name)
            problems.append(
                Problem(
                    spelled,
                    "invalid_character",
                    f"the key '{spelled}' contains a character that is not allowed ({found})",
                )
            )
            continue
        if name in seen:
            cells.pop(name, None)
            problems.append(
                Problem(name, "duplicate_key", f"'{name}' appears twice; give each column once")
            )
            continue
        seen.add(name)
        if raw is None:
            continue
        if isinstance(raw, bool) or not isinstance(raw, str):
            # A JSON number arrives as its digits (a str); a fraction, NaN, Infinity,
            # true/false, a list or an object does not.
            problems.append(Problem(name, "invalid", "must be a string (or a whole number)"))
            continue
        refused = _refused_cell(name, raw)
        if refused is not None:
            problems.append(refused)
            continue
        text = raw.strip()
        if text:
            cells[name] = text
    return SourceRow(number, cells, tuple(problems))


def _deep_problem(column: str | None) -> Problem:
    return Problem(
        column,
        "too_deep",
        f"nested deeper than {MAX_JSON_DEPTH} levels; a value must be a string (or a whole number)",
    )


def _deep_value(line: str) -> tuple[str | None, int, int] | None:
    """(key, start, end) of the first member value that nests deeper than
    MAX_JSON_DEPTH, found in one pass over the characters, without recursion."""
    depth = deepest = 0
    key: str | None = None
    wants_key = False
    start: int | None = None
    index = 0
    while index < len(line):
        char = line[index]
        if char == '"':
            end = _string_end(line, index)
            if depth == 1 and wants_key:
                key = _key_name(line[index:end])
                wants_key = False
            index = end
            continue
        if char in "{[":
            depth += 1
            if depth == 1:
                wants_key = char == "{"
            elif depth == 2:
                start = index
            deepest = max(deepest, depth)
        elif char in "}]":
            if depth == 2 and start is not None and deepest > MAX_JSON_DEPTH:
                return key, start, index + 1
            if depth == 2:
                deepest = 2
            depth -= 1
        elif char == "," and depth == 1:
            wants_key = True
        index += 1
    if start is not None and deepest > MAX_JSON_DEPTH:
        return key, start, len(line)  # never closed: the rest of the line is the value
    return None


def _string_end(line: str, start: int) -> int:
    """The index after the JSON string that starts at `start` (or the end of the line)."""
    index = start + 1
    while index < len(line):
        if line[index] == "\\":
            index += 2
            continue
        if line[index] == '"':
            return index + 1
        index += 1
    return len(line)


def _key_name(quoted: str) -> str | None:
    try:
        return _spelled(_column_name(str(json.loads(quoted, strict=False))))
    except ValueError:
        return None


def _spelled(name: str) -> str:
    """A key as a report can show it; a refused character (a lone surrogate cannot
    even be written as UTF-8) is spelled out as an escape."""
    return "".join(c if refused_character(c) is None else f"\\u{ord(c):04x}" for c in name)


# Reading a row ------------------------------------------------------------------------

FormLookup = Callable[[str, int], Form | None]


def parse_row(
    source: SourceRow,
    *,
    time_zone: str,
    form_for: FormLookup,
    agent_known: Callable[[str], bool] = lambda _agent: True,
) -> ParsedRow:
    """The evaluation body of one row, or every problem it has.

    `form_for(form_id, version)` gives the published form version or None;
    `agent_known(agent_id)` says whether the agent belongs to the tenant.
    """
    problems = list(source.problems)
    warnings: list[Problem] = []
    cells = source.cells
    # A column whose cell could not be read has its problem already: not "required" too.
    unread = {p.column for p in source.problems if p.column is not None}
    reader = _Cells(cells, problems, unread)

    external_id = reader.text("external_id", MAX_EXTERNAL_ID)
    form_id = reader.matching("form_id", SLUG, "a form id like asiakaspalvelu")
    form_version = reader.whole("form_version", 1, MAX_FORM_VERSION)
    agent_id = reader.matching("agent_id", AGENT_ID, "an agent id (letters, digits, . _ @ -)")
    channel = reader.choice("channel", CHANNELS)
    contact_id = reader.text("contact_id", MAX_CONTACT_ID)
    occurred_at = (
        None
        if "occurred_at" in unread
        else _occurred_at(cells.get("occurred_at"), time_zone, problems, warnings)
    )
    duration = reader.whole("duration_s", 0, MAX_DURATION_S, required=False)
    recording_url = reader.matching(
        "recording_url", RECORDING_URL, "an http(s) address", required=False
    )
    if recording_url is not None and len(recording_url) > MAX_RECORDING_URL:
        problems.append(
            Problem("recording_url", "too_long", f"at most {MAX_RECORDING_URL} characters")
        )
    summary = reader.text("summary", MAX_SUMMARY, required=False)

    if agent_id is not None and not agent_known(agent_id):
        problems.append(
            Problem(
                "agent_id", "unknown_agent", f"agent '{agent_id}' is not an agent of the tenant"
            )
        )
    form: Form | None = None
    if form_id is not None and form_version is not None:
        form = form_for(form_id, form_version)
        if form is None:
            problems.append(
                Problem(
                    "form_version",
                    "unknown_form_version",
                    f"form '{form_id}' has no published version {form_version}",
                )
            )
    answers: dict[str, str] = {}
    comments: dict[str, str] = {}
    answer_columns: dict[str, str] = {}
    if form is not None:
        answers, comments, answer_columns = _answers(
            cells, form, form_version or 0, problems, unread
        )

    if problems:
        shown = _shown(cells.get("external_id", ""), MAX_EXTERNAL_ID)
        return ParsedRow(source.row, shown, None, tuple(problems))
    contact: dict[str, Any] = {"channel": channel, "id": contact_id, "occurred_at": occurred_at}
    if duration is not None:
        contact["duration_s"] = duration
    if recording_url is not None:
        contact["recording_url"] = recording_url
    body: dict[str, Any] = {
        "form_id": form_id,
        "form_version": form_version,
        "agent_id": agent_id,
        "contact": contact,
        "method": METHOD,
        "answers": answers,
    }
    if comments:
        body["comments"] = comments
    if summary is not None:
        body["summary"] = summary
    return ParsedRow(
        source.row, str(external_id), body, (), tuple(warnings), answer_columns=answer_columns
    )


class _Cells:
    """Reads fixed columns, adding a Problem for each that is missing or malformed."""

    def __init__(self, cells: Mapping[str, str], problems: list[Problem], unread: set[str]) -> None:
        self._cells = cells
        self._problems = problems
        self._unread = unread

    def _get(self, column: str, required: bool) -> str | None:
        value = self._cells.get(column)
        if value is None and required and column not in self._unread:
            self._problems.append(Problem(column, "required", f"'{column}' needs a value"))
        return value

    def _bad(self, column: str, message: str, code: str = "invalid") -> None:
        self._problems.append(Problem(column, code, message))

    def text(self, column: str, limit: int, *, required: bool = True) -> str | None:
        value = self._get(column, required)
        if value is None:
            return None
        if len(value) > limit:
            self._bad(column, f"at most {limit} characters, not {len(value)}", "too_long")
            return None
        if column != "summary" and _CONTROL.search(value):
            self._bad(column, "must be on one line, without control characters")
            return None
        return value

    def matching(
        self, column: str, pattern: re.Pattern[str], what: str, *, required: bool = True
    ) -> str | None:
        value = self._get(column, required)
        if value is None:
            return None
        if not pattern.fullmatch(value):
            self._bad(column, f"'{_shown(value)}' is not {what}")
            return None
        return value

    def whole(self, column: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self._get(column, required)
        if value is None:
            return None
        if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
            self._bad(column, f"'{_shown(value)}' is not a whole number from {low} to {high}")
            return None
        return int(value)

    def choice(self, column: str, choices: Sequence[str]) -> str | None:
        value = self._get(column, True)
        if value is None:
            return None
        if value.lower() not in choices:
            self._bad(column, f"'{_shown(value)}' is not one of {', '.join(choices)}")
            return None
        return value.lower()


def _shown(value: str, limit: int = 60) -> str:
    """A cell value quoted back in a message, cut short."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def answer_value(text: str) -> str | None:
    """yes, no or na for an accepted word in any case; None for anything else."""
    return ANSWER_WORDS.get(" ".join(text.split()).casefold())


def _answers(
    cells: Mapping[str, str],
    form: Form,
    version: int,
    problems: list[Problem],
    unread: set[str],
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    answers: dict[str, str] = {}
    comments: dict[str, str] = {}
    columns: dict[str, str] = {}
    used: set[str] = set(FIXED_COLUMNS)
    accepted = "yes, no or na (kyllä, ei, ohita; ja, nej, hoppa över)"
    for criterion in form.criteria():
        plain, prefixed = criterion.id, ANSWER_PREFIX + criterion.id
        # A criterion named like a fixed column ("summary") is answered only as answer:<id>.
        collides = plain in FIXED_COLUMNS
        column = prefixed if prefixed in cells or collides else plain
        used.update((prefixed, COMMENT_PREFIX + criterion.id))
        if not collides:
            used.add(plain)
        text = cells.get(prefixed) or (None if collides else cells.get(plain))
        columns[criterion.id] = column
        if prefixed in cells and plain in cells and not collides:
            problems.append(
                Problem(prefixed, "duplicate_answer", f"answered in both {plain} and {prefixed}")
            )
            continue
        if text is None:
            if column not in unread:
                problems.append(
                    Problem(column, "missing_answer", f"criterion '{criterion.id}' needs an answer")
                )
            continue
        answer = answer_value(text)
        if answer is None:
            problems.append(
                Problem(
                    column, "invalid_answer", f"'{_shown(text)}' is not an answer: write {accepted}"
                )
            )
        elif answer == "na" and not criterion.na_allowed:
            problems.append(
                Problem(column, "na_not_allowed", f"criterion '{criterion.id}' cannot be skipped")
            )
        else:
            answers[criterion.id] = answer
        comment = cells.get(COMMENT_PREFIX + criterion.id)
        if comment is not None:
            if len(comment) > MAX_COMMENT:
                problems.append(
                    Problem(
                        COMMENT_PREFIX + criterion.id,
                        "too_long",
                        f"at most {MAX_COMMENT} characters, not {len(comment)}",
                    )
                )
            else:
                comments[criterion.id] = comment
    for column in cells:
        if column not in used:
            criterion_id = column.removeprefix(ANSWER_PREFIX).removeprefix(COMMENT_PREFIX)
            problems.append(
                Problem(
                    column,
                    "unknown_criterion",
                    f"'{criterion_id}' is not a criterion of form '{form.form_id}' "
                    f"version {version}",
                )
            )
    return answers, comments, columns


def _occurred_at(
    text: str | None, time_zone: str, problems: list[Problem], warnings: list[Problem]
) -> str | None:
    if text is None:
        problems.append(Problem("occurred_at", "required", "'occurred_at' needs a value"))
        return None
    try:
        moment, warning = contact_time(text, time_zone)
    except ValueError as exc:
        problems.append(Problem("occurred_at", _code(exc), str(exc)))
        return None
    if warning is not None:
        warnings.append(Problem("occurred_at", "ambiguous_local_time", warning))
    return moment


def _code(error: ValueError) -> str:
    if isinstance(error, OutOfCalendar):
        return "out_of_range"
    return "nonexistent_local_time" if "does not exist" in str(error) else "invalid"


class OutOfCalendar(ValueError):
    """A time at the very ends of the calendar, with no UTC time or local date."""


# TODO(lead): move to periods.py (every entry path needs it before to_utc_iso/month_of).
# Within a day of datetime's ends (year 1, year 9999) a UTC time, or a local date in
# a zone up to 24 h away, overflows: OverflowError in astimezone, not a ValueError.
_FIRST_SAFE = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
_LAST_SAFE = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


def _in_calendar(moment: datetime) -> bool:
    """Whether `moment` has a UTC time and a local date in every time zone."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return False
    return _FIRST_SAFE <= utc <= _LAST_SAFE


def _check_calendar(moment: datetime, value: str) -> datetime:
    if not _in_calendar(moment):
        raise OutOfCalendar(
            f"'{_shown(value)}' is too close to the ends of the calendar to convert "
            "to UTC; check the year"
        )
    return moment


def contact_time(text: str, time_zone: str) -> tuple[str, str | None]:
    """ISO 8601 with offset, kept; or a local time, placed in `time_zone`.

    Returns (ISO 8601 with offset, warning or None). Raises ValueError for a
    time that is not readable, that did not exist there (a DST gap), or that is
    at the ends of the calendar (OutOfCalendar).
    """
    value = " ".join(text.split())
    if _HAS_OFFSET.search(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"'{_shown(value)}' is not a date-time; write it like 2026-11-02T10:15:00+02:00"
            ) from None
        if moment.utcoffset() is not None:
            return _check_calendar(moment, value).isoformat(), None
    local = _local(value)
    zone = ZoneInfo(time_zone)
    first = _check_calendar(local.replace(tzinfo=zone, fold=0), value)
    second = _check_calendar(local.replace(tzinfo=zone, fold=1), value)
    if first.utcoffset() == second.utcoffset():
        return first.isoformat(), None
    wall = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if wall != local:
        raise ValueError(
            f"{local:%Y-%m-%d %H:%M} does not exist in {time_zone}: the clocks jumped over it "
            "(daylight saving time); check the time or write it with its offset"
        )
    return first.isoformat(), (
        f"{local:%Y-%m-%d %H:%M} happened twice in {time_zone} (the clocks went back); "
        f"read as the first, {first.isoformat()}; write the offset to choose the second "
        f"({second.isoformat()})"
    )


def _local(value: str) -> datetime:
    match = _ISO_LOCAL.fullmatch(value) or _FINNISH_LOCAL.fullmatch(value)
    if match is None:
        raise ValueError(
            f"'{_shown(value)}' is not a date and time; write 2026-11-02 10:15, "
            "2.11.2026 10.15 or 2026-11-02T10:15:00+02:00"
        )
    parts = match.groupdict()
    try:
        return datetime(  # noqa: DTZ001 - a wall-clock time, placed in a zone by the caller
            int(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            int(parts["H"]),
            int(parts["M"]),
            int(parts["S"] or 0),
        )
    except ValueError as exc:
        raise ValueError(f"'{_shown(value)}' is not a real date and time: {exc}") from None


# Whole-file rules ---------------------------------------------------------------------


def first_rows(rows: Sequence[SourceRow]) -> dict[str, int]:
    """Where each external_id first appears (its row number): a later row with the
    same id is a duplicate within the file."""
    first: dict[str, int] = {}
    for row in rows:
        if row.external_id:
            first.setdefault(row.external_id, row.row)
    return first


def duplicate_problem(row: SourceRow, first: Mapping[str, int]) -> Problem | None:
    seen = first.get(row.external_id)
    if seen is None or seen == row.row:
        return None
    return Problem(
        "external_id",
        "duplicate_external_id",
        f"external_id '{_shown(row.external_id)}' is already on row {seen}; "
        "a file has each evaluation once",
    )


# What the auditor downloads -----------------------------------------------------------


def template_columns(form: Form) -> list[str]:
    """Every column a row of this form version can have, in the order to fill them."""
    answers = [ANSWER_PREFIX + c.id if c.id in FIXED_COLUMNS else c.id for c in form.criteria()]
    comments = [COMMENT_PREFIX + c.id for c in form.criteria()]
    return [*FIXED_COLUMNS, *answers, *comments]


def template_csv(form: Form, delimiter: str = ";") -> str:
    """The header row as a spreadsheet opens it: a BOM so Excel reads UTF-8, CRLF
    line ends, `;` as Finnish and Swedish Excel expect. No example row: a forgotten
    one would be imported."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    # Criterion ids are slugs, so this changes nothing today; it keeps the one rule.
    writer.writerow([safe_text_cell(column) for column in template_columns(form)])
    return "\ufeff" + buffer.getvalue()


def answer_pattern(*, include_na: bool = True) -> str:
    """An ECMA-262 pattern for the accepted answer words in any letter case."""

    def word(text: str) -> str:
        out = []
        for char in text:
            if char == " ":
                out.append(r"\s+")
            elif char.isalpha() and char.lower() != char.upper():
                out.append(f"[{char.lower()}{char.upper()}]")
            else:
                out.append(re.escape(char))
        return "".join(out)

    words = [w for w, value in ANSWER_WORDS.items() if include_na or value != "na"]
    return r"^\s*(?:" + "|".join(word(w) for w in words) + r")\s*$"


def row_schema(base: Mapping[str, Any], form: Form, version: int) -> dict[str, Any]:
    """The row schema of one form version: the generic row schema with this form's
    id, version and criteria filled in, and nothing else allowed."""
    schema: dict[str, Any] = json.loads(json.dumps(base))
    folder = str(base.get("$id", "")).rsplit("/", 1)[0]
    schema["$id"] = f"{folder}/forms/{form.form_id}/versions/{version}/row.schema.json"
    schema["title"] = f"A batch row for form '{form.form_id}' version {version}"
    properties: dict[str, Any] = schema["properties"]
    properties["form_id"] = {"const": form.form_id}
    properties["form_version"] = {"enum": [version, str(version)]}
    required = list(schema["required"])
    for criterion in form.criteria():
        column = ANSWER_PREFIX + criterion.id if criterion.id in FIXED_COLUMNS else criterion.id
        properties[column] = {
            "$ref": "#/$defs/answer" if criterion.na_allowed else "#/$defs/answer_not_na",
            "description": criterion.text,
        }
        properties[COMMENT_PREFIX + criterion.id] = {"$ref": "#/$defs/comment"}
        required.append(column)
    schema["required"] = required
    schema.pop("patternProperties", None)
    schema["additionalProperties"] = False
    return schema
