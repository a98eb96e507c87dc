"""A role pair writes what the better of its roles writes
(tests/functional/authorization_matrix.py says how)."""

from __future__ import annotations

from tests.functional.api import Api
from tests.functional.authorization_matrix import (
    ROLE_SETS,
    ROLES,
    Bodies,
    Request,
    World,
    _call,
    _operations,
    _path_values,
    _paths,
    _rank,
    world,
)

__all__ = ["world"]  # the fixture, shared


def test_a_role_pair_writes_what_the_better_of_its_roles_writes(api: Api, world: World) -> None:
    problems: list[str] = []
    bodies = Bodies(api)
    values = _path_values(world)
    for operation, method, template in _operations():
        if method == "GET":
            continue
        for path in _paths(template, values):
            # Each caller gets a body made for the state it meets (a fresh If-Match).
            statuses: dict[tuple[str, ...], list[int]] = {}
            for roles in ROLE_SETS:
                for body, headers in bodies.for_request(operation, path):
                    request = Request(operation, method, path, body, tuple(headers.items()))
                    statuses.setdefault(roles, []).append(_call(api, request, roles).status)
            for roles, got in statuses.items():
                if any(status >= 500 for status in got):
                    problems.append(f"{operation} {path} as {'+'.join(roles)}: {got}")
            for pair in ROLE_SETS[len(ROLES) :]:
                for index, got_status in enumerate(statuses[pair]):
                    best = max((statuses[(r,)][index] for r in pair), key=_rank)
                    if _rank(got_status) != _rank(best):
                        alone = {r: statuses[(r,)][index] for r in pair}
                        problems.append(
                            f"{operation} {path} #{index} as {'+'.join(pair)}: "
                            f"{got_status}, alone {alone}"
                        )
    assert not problems, "\n".join(problems)
