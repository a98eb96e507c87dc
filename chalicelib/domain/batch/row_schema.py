"""The JSON Schema of one batch row for a form version, and the answer patterns
the generic row schema is written with."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from chalicelib.domain.batch.answers import ANSWER_WORDS
from chalicelib.domain.batch.columns import answer_column, comment_column
from chalicelib.domain.forms import Form


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
        column = answer_column(criterion.id)
        properties[column] = {
            "$ref": "#/$defs/answer" if criterion.na_allowed else "#/$defs/answer_not_na",
            "description": criterion.text,
        }
        properties[comment_column(criterion.id)] = {"$ref": "#/$defs/comment"}
        required.append(column)
    schema["required"] = required
    schema.pop("patternProperties", None)
    schema["additionalProperties"] = False
    return schema
