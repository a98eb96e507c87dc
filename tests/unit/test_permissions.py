"""The permission table: a person's scopes are the union of their roles' scopes."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.domain import permissions
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.permissions import ACTIONS, PERMISSIONS, Scope
from chalicelib.domain.principal import ROLES, Principal


def person(*roles: str, agent_id: str | None = "aino") -> Principal:
    return Principal(user="pat", tenant="acme", roles=frozenset(roles), agent_id=agent_id)


def test_the_table_names_only_known_roles_and_actions() -> None:
    assert set(PERMISSIONS) == ROLES
    for actions in PERMISSIONS.values():
        assert set(actions) <= set(ACTIONS)


@pytest.mark.parametrize("roles", list(itertools.combinations(sorted(ROLES), 2)))
def test_two_roles_get_the_union_of_their_scopes(roles: tuple[str, str]) -> None:
    for action in ACTIONS:
        alone = [permissions.scopes(person(role), action) for role in roles]
        assert permissions.scopes(person(*roles), action) == alone[0] | alone[1]


def test_an_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        permissions.scopes(person("admin"), "evaluation.delete")


def test_without_a_scope_the_answer_is_forbidden_naming_who_may() -> None:
    with pytest.raises(Forbidden) as caught:
        permissions.require(person("payroll"), "evaluation.read")
    assert "admin" in caught.value.message
    assert "payroll" not in caught.value.message


@pytest.mark.parametrize(
    ("granted", "about_agent", "author", "expected"),
    [
        ({Scope.TENANT}, "bert", "eero", True),
        ({Scope.SELF}, "aino", "eero", True),
        ({Scope.SELF}, "bert", "pat", False),
        ({Scope.AUTHORED}, "bert", "pat", True),
        ({Scope.AUTHORED}, "aino", "eero", False),
        ({Scope.SELF, Scope.AUTHORED}, "bert", "pat", True),
        (set(), "aino", "pat", False),
    ],
)
def test_what_a_scope_reaches(
    granted: set[Scope], about_agent: str, author: str, expected: bool
) -> None:
    reached = permissions.reaches(
        frozenset(granted), person("agent"), about_agent=about_agent, author=author
    )
    assert reached is expected


def test_self_reaches_nothing_without_an_agent_id() -> None:
    nobody = person("agent", agent_id=None)
    assert not permissions.reaches(frozenset({Scope.SELF}), nobody, about_agent="aino")
