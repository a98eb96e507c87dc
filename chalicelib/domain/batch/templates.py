"""The CSV template an auditor downloads for a form version: its header row."""

from __future__ import annotations

import csv
import io

from chalicelib.domain.batch.columns import FIXED_COLUMNS, answer_column, comment_column
from chalicelib.domain.csv_cells import safe_text_cell
from chalicelib.domain.forms import Form


def template_columns(form: Form) -> list[str]:
    """Every column a row of this form version can have, in the order to fill them."""
    answers = [answer_column(c.id) for c in form.criteria()]
    comments = [comment_column(c.id) for c in form.criteria()]
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
