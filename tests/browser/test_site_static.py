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


def messages(language: str) -> set[str]:
    return set(KEY.findall((MESSAGES / f"{language}.js").read_text("utf-8")))


def sources() -> list[Path]:
    return sorted(p for p in SITE.rglob("*.js") if p.parent != MESSAGES)


def test_every_language_has_the_same_messages() -> None:
    english = messages("en")
    assert len(english) > 150
    for language in ("fi", "sv"):
        assert messages(language) == english, language


def test_every_message_the_code_asks_for_exists() -> None:
    known = messages("en")
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
    }.items():
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
    assert directives["connect-src"] == "'self' https://*.amazoncognito.com"
