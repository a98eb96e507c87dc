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


_IMPORT = re.compile(r'^(?:import|export)\s[^;]*?\bfrom\s+"(\.[^"]+)"', re.MULTILINE)


def static_imports(module: Path) -> set[Path]:
    """`module` and every module it imports statically, at any depth (no import())."""
    seen: set[Path] = set()
    todo = [module.resolve()]
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo += [(path.parent / m).resolve() for m in _IMPORT.findall(path.read_text("utf-8"))]
    return seen


def test_each_page_preloads_its_own_modules_and_no_others() -> None:
    """js/preload.js's lists are each view's static imports beyond the shell's (which
    index.html preloads): none missing, none of another page's."""
    source = (JS / "preload.js").read_text("utf-8")
    lists = {
        name: re.findall(r'"([\w/.-]+\.js)"', body)
        for name, body in re.findall(r"const (\w+) = \[(.*?)\];", source, re.DOTALL)
    }
    views = {}
    for view, body in re.findall(r'"([\w-]+)": \{\s*modules: (\w+|\[.*?\])', source, re.DOTALL):
        named = lists.get(body, []) + re.findall(r'"([\w/.-]+\.js)"', body)
        for spread in re.findall(r"\.\.\.(\w+)", body):
            named += lists[spread]
        views[view] = set(named)
    assert set(views) == {"evaluate", "pick-form", "reports"}
    shell = static_imports(JS / "main.js")
    html = (ROOT / "static_site" / "index.html").read_text("utf-8")
    hrefs = re.findall(r'rel="modulepreload" href="([^"]+)"', html)
    preloaded = {(ROOT / "static_site" / href.lstrip("/")).resolve() for href in hrefs}
    assert preloaded == shell - {(JS / "preload.js").resolve()}

    def needs(view: str) -> set[str]:
        return {
            p.relative_to(JS).as_posix()
            for p in static_imports(JS / "views" / f"{view}.js") - shell
        }

    assert views["evaluate"] == needs("evaluate")
    assert views["reports"] == needs("reports")
    # The form list leads straight to the evaluation page, so it fetches that too.
    assert views["pick-form"] == needs("pick-form") | needs("evaluate")
