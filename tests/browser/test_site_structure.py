"""The site's shape, read from its files (no browser): pages and components reach
the API only through the per-resource modules in static_site/js/api/, and the rules
the site shares with the API come from one generated module."""

from __future__ import annotations

import re
from pathlib import Path

from infra import site_rules
from tests.support import ROOT

JS = ROOT / "static_site" / "js"
API_MODULES = JS / "api"
# A path of the API written as a string, e.g. "/v1/forms" or `/v1/forms/${id}`.
API_PATH_LITERAL = re.compile(r"[\"'`]/v1/")


def site_sources() -> list[Path]:
    return sorted(JS.rglob("*.js"))


def test_no_view_or_component_names_an_api_path() -> None:
    checked = [p for p in site_sources() if p.parent.name in {"views", "components"}]
    checked += [p for p in site_sources() if "views" in p.relative_to(JS).parts[:-1]]
    assert len(checked) > 15
    offenders = [str(p.relative_to(ROOT)) for p in checked if "/v1/" in p.read_text("utf-8")]
    assert offenders == []


def test_api_paths_are_written_only_in_the_api_modules() -> None:
    writers = {
        p.relative_to(JS).as_posix()
        for p in site_sources()
        if API_PATH_LITERAL.search(p.read_text("utf-8"))
    }
    assert writers, "no module writes an API path at all"
    assert {w for w in writers if not w.startswith("api/")} == set()


def test_every_api_module_is_used() -> None:
    modules = sorted(p.name for p in API_MODULES.glob("*.js"))
    assert {
        "forms.js",
        "evaluations.js",
        "settings.js",
        "agents.js",
        "exports.js",
        "imports.js",
        "me.js",
    } <= set(modules)
    importers = "\n".join(p.read_text("utf-8") for p in site_sources() if p.parent != API_MODULES)
    unused = [m for m in modules if f'/api/{m}"' not in importers]
    assert unused == []


def test_the_generated_rules_are_what_the_schemas_and_constants_say() -> None:
    committed = site_rules.OUTPUT.read_text("utf-8")
    assert committed == site_rules.render(), "run: .venv/bin/python -m infra.site_rules"
    assert site_rules.main(["--check"]) == 0


def test_no_other_module_keeps_its_own_copy_of_a_shared_rule() -> None:
    shared = site_rules.rules()
    copies = [
        shared["AGENT_ID"],  # the pattern's text
        shared["DEFAULT_TIME_ZONE"],
        ", ".join(f'"{c}"' for c in shared["CHANNELS"]),
    ]
    # Messages may name a zone as an example; they are words, not rules.
    code = [p for p in site_sources() if p != site_rules.OUTPUT and p.parent.name != "messages"]
    found = [
        (str(p.relative_to(ROOT)), c) for p in code for c in copies if c in p.read_text("utf-8")
    ]
    assert found == []
    users = [p for p in code if "rules.generated.js" in p.read_text("utf-8")]
    assert len(users) >= 4
