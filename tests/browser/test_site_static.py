"""The site's files themselves: every language has every message, every message the
code asks for exists, and nothing in it needs a CSP exception or another origin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import ROOT

SITE = ROOT / "static_site"
MESSAGES = SITE / "js" / "messages"
KEY = re.compile(r'^\s+"([a-zA-Z_.]+)":', re.MULTILINE)
# Any string literal shaped like a message key ("evaluate.submit"): keys are passed
# to t() directly, through conditions and in tables of [field, key] pairs.
LITERAL = re.compile(r'"([a-zA-Z]+\.[a-zA-Z_]+)"')
DYNAMIC = re.compile(r"t\(`([a-zA-Z]+)\.\$\{")


def bundles() -> list[str]:
    """The message files pages load for themselves (messages/{bundle}.{language}.js)."""
    return sorted({p.name.split(".")[0] for p in MESSAGES.glob("*.*.js")})


def messages(language: str, bundle: str | None = None) -> set[str]:
    name = f"{bundle}.{language}.js" if bundle else f"{language}.js"
    return set(KEY.findall((MESSAGES / name).read_text("utf-8")))


def every_message(language: str) -> set[str]:
    return messages(language).union(*(messages(language, b) for b in bundles()))


def sources() -> list[Path]:
    return sorted(p for p in SITE.rglob("*.js") if p.parent != MESSAGES)


def test_every_language_has_the_same_messages() -> None:
    assert len(messages("en")) > 150
    assert bundles() == ["coaching", "forms", "imports", "payroll", "reports"]
    for bundle in [None, *bundles()]:
        english = messages("en", bundle)
        for language in ("fi", "sv"):
            assert messages(language, bundle) == english, (language, bundle)
    # A key lives in one file only, so a page's bundle cannot change the shell's words.
    sizes = [len(messages("en", b)) for b in [None, *bundles()]]
    assert sum(sizes) == len(every_message("en"))


def test_every_message_the_code_asks_for_exists() -> None:
    known = every_message("en")
    families = {key.split(".")[0] for key in known}
    wanted: set[str] = set()
    prefixes: set[str] = set()
    for path in sources():
        text = path.read_text("utf-8")
        wanted |= {k for k in LITERAL.findall(text) if k.split(".")[0] in families}
        prefixes |= set(DYNAMIC.findall(text))
    assert len(wanted) > 150
    assert sorted(wanted - known) == []
    for prefix in prefixes:
        assert any(k.startswith(prefix + ".") for k in known), prefix
    # The families built from data have every member.
    for family, members in {
        "answer": ("yes", "no", "na"),
        "channel": ("phone", "email", "chat", "social"),
        "method": ("live", "recording", "external", "self"),
        "role": ("admin", "evaluator", "auditor", "agent", "payroll"),
        "exportStatus": ("writing", "done"),
        "importStatus": ("pending", "running", "done", "failed"),
        "importState": ("pending", "running", "done", "failed"),
        "outcome": ("created", "amended", "unchanged", "rejected"),
    }.items():
        assert {f"{family}.{m}" for m in members} <= known
    # The problem codes and file errors views/import/model.js has words for.
    code = (SITE / "js" / "views" / "import" / "model.js").read_text("utf-8")
    for family, name in (("problem", "PROBLEMS"), ("fileError", "FILE_ERRORS")):
        listed = re.search(rf"const {name} = new Set\(\[([^\]]+)\]\)", code)
        assert listed is not None, name
        members = tuple(re.findall(r'"([a-z_]+)"', listed.group(1)))
        assert len(members) > 5
        assert {f"{family}.{m}" for m in members} <= known


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"\beval\(|new Function\(|setTimeout\(\s*[\"'`]", "code from strings needs 'unsafe-eval'"),
        (r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write", "markup from strings"),
        (r"\.setAttribute\(\s*[\"']on|\.setAttribute\(\s*[\"']style", "inline handlers or styles"),
    ],
)
def test_the_code_needs_no_csp_exception(pattern: str, why: str) -> None:
    for path in sources():
        found = re.search(pattern, path.read_text("utf-8"))
        assert found is None, f"{path.relative_to(ROOT)}: {why}: {found and found.group(0)}"


def test_the_html_has_no_inline_script_style_or_handler_and_no_other_origin() -> None:
    for path in SITE.rglob("*.html"):
        html = path.read_text("utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
        assert "<style" not in html
        assert " style=" not in html
        assert not re.search(r"\son[a-z]+=", html), "inline event handler"
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html), "another origin"
    for path in SITE.rglob("*.css"):
        assert not re.search(r"url\(\s*[\"']?(?:https?:)?//", path.read_text("utf-8"))
        assert "@import" not in path.read_text("utf-8")


def test_the_csp_allows_only_this_origin_and_the_sign_in_endpoint() -> None:
    html = (SITE / "index.html").read_text("utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.group(1).split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    # Besides this origin: Cognito's token endpoint, and the uploads bucket a batch file
    # is posted to (S3 in AWS; moto on a loopback port, which changes at each start).
    assert directives["connect-src"] == (
        "'self' https://*.amazoncognito.com https://*.amazonaws.com http://127.0.0.1:*"
    )
