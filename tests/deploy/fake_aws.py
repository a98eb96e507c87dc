"""A stand-in for the AWS CLI, so `make deploy`'s orchestration runs here with no account.

Run as `python -m tests.deploy.fake_aws ARGS...` (tests write an `aws` shim on
PATH that does so). It keeps a small JSON state in $FAKE_AWS_STATE: whether
credentials exist, the buckets and stacks it has "created", and every call,
and answers the handful of commands infra/aws/deploy.py makes the way the real
CLI does (output shapes and the error texts the script reads).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

DISTRIBUTION = "https://d111111abcdef8.cloudfront.net"
NO_CREDENTIALS = (
    '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n'
)
STATIC_OUTPUTS = {
    "SiteUrl": DISTRIBUTION,
    "SiteBucketName": "laatu-prod-sitebucket-abc",
    "SiteDistributionId": "E2EXAMPLE",
    "UserPoolId": "eu-north-1_Example",
    "UserPoolClientId": "exampleclientid",
    "CognitoDomain": "https://laatu-prod-123456789012.auth.eu-north-1.amazoncognito.com",
    "Region": "eu-north-1",
    "UploadsBucketName": "laatu-prod-uploadsbucket-def",
}


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def _values_after(args: list[str], name: str) -> list[str]:
    start = args.index(name) + 1
    values: list[str] = []
    for arg in args[start:]:
        if arg.startswith("--"):
            break
        values.append(arg)
    return values


def answer(state: dict[str, Any], args: list[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) for one command line."""
    command = " ".join(args[:2])
    if command == "sts get-caller-identity":
        if not state.get("credentials", True):
            return (
                253,
                "",
                NO_CREDENTIALS,
            )
        identity = {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/deployer"}
        return 0, json.dumps(identity), ""
    if command == "configure get":
        region = state.get("configured_region")
        return (0, f"{region}\n", "") if region else (1, "", "")
    if command == "s3api head-bucket":
        return (
            (0, "", "") if _option(args, "--bucket") in state["buckets"] else (254, "", "Not Found")
        )
    if command == "s3api create-bucket":
        state["buckets"].append(_option(args, "--bucket"))
        return 0, "{}", ""
    if command == "cloudformation package":
        shutil.copyfile(_option(args, "--template-file"), _option(args, "--output-template-file"))
        return 0, "", ""
    if command == "cloudformation describe-stacks":
        stack = _option(args, "--stack-name")
        if stack not in state["stacks"]:
            return (
                254,
                "",
                (
                    "\nAn error occurred (ValidationError) when calling the DescribeStacks "
                    f"operation: Stack with id {stack} does not exist\n"
                ),
            )
        outputs = [{"OutputKey": k, "OutputValue": v} for k, v in state["stacks"][stack].items()]
        return 0, json.dumps({"Stacks": [{"StackName": stack, "Outputs": outputs}]}), ""
    if command == "cloudformation deploy":
        overrides = dict(v.split("=", 1) for v in _values_after(args, "--parameter-overrides"))
        site = overrides.get("SiteUrl", "")
        state["stacks"][_option(args, "--stack-name")] = {
            **STATIC_OUTPUTS,
            "ConfiguredSiteUrl": site or "none",
        }
        return 0, "", ""
    if command in (
        "s3api put-public-access-block",
        "s3 sync",
        "s3 cp",
        "cloudfront create-invalidation",
    ):
        return 0, "{}", ""
    return 2, "", f"fake aws: no answer for {args}"


def main() -> int:
    path = Path(os.environ["FAKE_AWS_STATE"])
    state: dict[str, Any] = json.loads(path.read_text("utf-8"))
    args = sys.argv[1:]
    state["calls"].append(args)
    code, out, err = answer(state, args)
    path.write_text(json.dumps(state), "utf-8")
    sys.stdout.write(out)
    sys.stderr.write(err)
    return code


if __name__ == "__main__":
    sys.exit(main())
