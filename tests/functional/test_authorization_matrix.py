"""Every operation is generated, and a role pair reads what the better of its roles reads
(tests/functional/authorization_matrix.py says how)."""

from __future__ import annotations

from tests.functional.api import Api
from tests.functional.authorization_matrix import (
    Bodies,
    World,
    _operations,
    _requests,
    _union_problems,
    world,
)

__all__ = ["world"]  # the fixture, shared


def test_every_operation_is_generated(api: Api, world: World) -> None:
    generated = {r.operation for r in _requests(world, None) + _requests(world, Bodies(api))}
    assert generated == {operation for operation, _, _ in _operations()}


def test_a_role_pair_reads_what_the_better_of_its_roles_reads(api: Api, world: World) -> None:
    problems = _union_problems(api, _requests(world, None))
    assert not problems, "\n".join(problems)
