"""The `laatu` command: developer tools for the local stack.

A subcommand per tool, so `laatu import` and `laatu export` can join `token`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from chalicelib.adapters.tokens import issue_local_token
from chalicelib.config import DEV_ONLY_LOCAL_SECRET
from chalicelib.domain.principal import ROLES, TENANT_PATTERN
from infra.local import export_command, import_command, mail_command
from infra.local.environment import SECRET_ENV


def _roles(value: str) -> list[str]:
    roles = [r.strip() for r in value.split(",") if r.strip()]
    unknown = sorted(set(roles) - ROLES)
    if unknown or not roles:
        raise argparse.ArgumentTypeError(
            f"unknown role {', '.join(unknown) or value!r}; choose from {', '.join(sorted(ROLES))}"
        )
    return roles


def _tenant(value: str) -> str:
    if not TENANT_PATTERN.match(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a tenant id like 'demo'")
    return value


def _hours(value: str) -> float:
    hours = float(value)
    if not 0 < hours <= 24 * 30:
        raise argparse.ArgumentTypeError("hours must be more than 0 and at most 720")
    return hours


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="laatu", description="Laatu developer tools.")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    token = commands.add_parser(
        "token",
        help="print a bearer token the local stack accepts",
        description=(
            f"Print a token signed with ${SECRET_ENV} (or the development secret), "
            "shaped like a Cognito ID token. Only the local stack accepts it."
        ),
    )
    token.add_argument("--tenant", required=True, type=_tenant)
    token.add_argument(
        "--role",
        required=True,
        action="append",
        type=_roles,
        help="repeat it or separate with commas: --role admin,evaluator",
    )
    token.add_argument("--user", required=True, help="the token's subject, e.g. maija.admin")
    token.add_argument("--agent-id", help="custom:agent_id; an agent token needs one")
    token.add_argument("--hours", type=_hours, default=12.0, help="lifetime (default 12)")
    token.set_defaults(run=_token, parser=token)
    import_command.add_parser(commands)
    export_command.add_parser(commands)
    mail_command.add_parser(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


def _token(args: argparse.Namespace) -> int:
    roles = list(dict.fromkeys(role for group in args.role for role in group))
    if "agent" in roles and not args.agent_id:
        args.parser.error("an agent token needs --agent-id")
    secret = os.environ.get(SECRET_ENV) or DEV_ONLY_LOCAL_SECRET
    print(
        issue_local_token(
            secret,
            tenant=args.tenant,
            roles=roles,
            user=args.user,
            agent_id=args.agent_id,
            lifetime_s=int(args.hours * 3600),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
