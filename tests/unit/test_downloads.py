"""Download parameters and file names, and the runtime pins Chalice packages from."""

from __future__ import annotations

import re
import tomllib
from urllib.parse import unquote

import pytest

from chalicelib.api.downloads import content_disposition, download_format
from chalicelib.domain.errors import InvalidInput
from tests.support import ROOT


def test_format_and_lang_default_to_json_and_finnish() -> None:
    assert download_format({}) == ("json", "fi")
    assert download_format({"format": "xlsx", "lang": "sv"}) == ("xlsx", "sv")
    assert download_format({"format": "csv", "lang": "en"}) == ("csv", "en")


@pytest.mark.parametrize(
    ("query", "field"),
    [({"format": "xls"}, "format"), ({"format": ""}, "format"), ({"lang": "FI"}, "lang")],
)
def test_other_values_are_invalid_input(query: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        download_format(query)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("stem", "ascii_name", "exact"),
    [
        ("raportti-2026-11", "raportti-2026-11.csv", "raportti-2026-11.csv"),
        ("Äänekoski / Åland", "Aanekoski-Aland.csv", "Äänekoski - Åland.csv"),
        ('a"\r\nContent-Type: x', "a-Content-Type-x.csv", "a Content-Type: x.csv"),
        ("../../etc/passwd", "etc-passwd.csv", "etc-passwd.csv"),
        ("", "laatu.csv", "laatu.csv"),
        ("日本", "laatu.csv", "日本.csv"),
    ],
)
def test_file_names_are_safe_in_both_forms(stem: str, ascii_name: str, exact: str) -> None:
    header = content_disposition(stem, "csv")
    assert header.isascii()
    assert not set(header) & set("\r\n\x00")
    found = re.fullmatch(r"attachment; filename=\"([^\"]*)\"; filename\*=UTF-8''(\S+)", header)
    assert found is not None, header
    assert found.group(1) == ascii_name
    assert unquote(found.group(2)) == exact


def test_runtime_pins_agree_with_the_chalice_requirements() -> None:
    """Chalice packages functions/requirements.txt; pyproject installs the same pins
    (but chalice, which Chalice itself supplies)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = {
        re.split(r"[\[=]", line, maxsplit=1)[0].lower(): line
        for line in project["dependencies"]
        if not line.startswith("chalice==")
    }
    lines = (ROOT / "functions" / "requirements.txt").read_text("utf-8").splitlines()
    required = {
        re.split(r"[\[=]", line, maxsplit=1)[0].lower(): line.strip()
        for line in lines
        if line.strip() and not line.startswith("#")
    }
    assert required == pins
    assert all("==" in line for line in required.values())
