"""Another tenant reads and changes nothing
(tests/functional/authorization_matrix.py says how)."""

from __future__ import annotations

from collections.abc import Callable

from tests.functional.api import Api
from tests.functional.authorization_matrix import (
    ROLE_SETS,
    Bodies,
    Request,
    World,
    _call,
    _leaks,
    _requests,
    world,
)

__all__ = ["world"]  # the fixture, shared


def test_another_tenant_reads_and_changes_nothing(api: Api, world: World) -> None:
    reads = _requests(world, None)
    before = {str(r): _call(api, r, ("admin",)).body for r in reads}
    problems = []
    write_requests: Callable[[], list[Request]] = lambda: _requests(world, Bodies(api))  # noqa: E731
    for roles in ROLE_SETS:
        for request in reads + write_requests():
            if request.operation == "getOpenApiDocument":
                continue
            answer = _call(api, request, roles, tenant="globex")
            leaked = _leaks(answer, world.markers())
            if answer.status >= 500 or (answer.status < 300 and leaked):
                problems.append(f"{request} as globex {'+'.join(roles)}: {answer.status} {leaked}")
    after = {str(r): _call(api, r, ("admin",)).body for r in reads}
    changed = [key for key in before if before[key] != after[key]]
    assert not problems, "\n".join(problems)
    assert not changed, f"acme's data changed by globex's calls: {changed}"
