"""JSON Schemas for request bodies, loaded and compiled once per process."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from chalicelib.domain.errors import InvalidInput


def load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """`pattern` with JSON Schema's ECMA-262 meaning of `$`: the end of the input.

    Python's `$` also matches before a final newline, so `^[a-z]+$` would accept
    "acme\\n" as an id; `\\Z` is the Python spelling of the ECMA `$`.
    """
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            out.append(r"\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def _pattern(checker: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if checker.is_type(instance, "string") and not _ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern}
)


@cache
def validator(name: str) -> Draft202012Validator:
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    checker: Draft202012Validator = _Validator(schema)
    return checker


def validate(name: str, instance: Any) -> None:
    """Raise `InvalidInput` naming the field of the most relevant error."""
    error = best_match(validator(name).iter_errors(instance))
    if error is None:
        return
    field, message = _describe(error)
    raise InvalidInput(message, field=field or None)


def _describe(error: ValidationError) -> tuple[str, str]:
    path = list(error.absolute_path)
    instance = error.instance
    required = error.validator_value
    if error.validator == "required" and isinstance(instance, dict) and isinstance(required, list):
        missing = next(p for p in required if p not in instance)
        return _join([*path, missing]), f"'{missing}' is required"
    schema = error.schema
    if (
        error.validator == "additionalProperties"
        and isinstance(instance, dict)
        and isinstance(schema, dict)
    ):
        allowed = set(schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)
        if extra:
            return _join([*path, extra[0]]), f"'{extra[0]}' is not a known field"
    if error.validator == "type":
        # jsonschema's own message shows Python's repr (Decimal('1E+400')).
        wanted = error.validator_value
        kinds = " or ".join(wanted) if isinstance(wanted, list) else str(wanted)
        article = "an" if kinds[0] in "aeiou" else "a"
        return _join(path), f"{_join(path) or 'the body'} must be {article} {kinds}"
    return _join(path), error.message


def _join(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def definition(name: str, pointer: str) -> Any:
    """One definition inside a schema (`#/$defs/agent_id`)."""
    part: Any = load(name)
    for key in pointer.removeprefix("#/").split("/"):
        part = part[key]
    return part


@cache
def _definition_validator(name: str, pointer: str) -> Draft202012Validator:
    # Compiled once: path parameters are checked with it on every request.
    checker: Draft202012Validator = _Validator(definition(name, pointer))
    return checker


def matches(name: str, pointer: str, instance: Any) -> bool:
    """Whether `instance` is valid against one definition inside a schema (`#/$defs/x`)."""
    return bool(_definition_validator(name, pointer).is_valid(instance))


def pattern(name: str, pointer: str) -> re.Pattern[str]:
    """The `pattern` of a definition, with JSON Schema's meaning, for code that checks
    one value without a whole validator (a cell of a batch file)."""
    return _ecma_regex(str(definition(name, pointer)["pattern"]))


def choices(name: str, pointer: str) -> tuple[str, ...]:
    """The `enum` of a definition."""
    return tuple(str(value) for value in definition(name, pointer)["enum"])
