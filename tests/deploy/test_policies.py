"""Least privilege: no wildcards on data, and each role allows exactly what its handler does."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from infra.aws.template import functions, of_type
from tests.deploy.conftest import Packaged
from tests.deploy.flow import POLLER, Call, Recorded
from tests.deploy.view import (
    Statement,
    action_matches,
    matches,
    ref_name,
    resolve,
    role_of,
    statements,
)
from tests.support import load_app

DATA_SERVICES = ("dynamodb:", "s3:", "kms:")
TRANSACT_ACTIONS = {
    "Get": "dynamodb:GetItem",
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}
ITEM_OPERATIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable")
STREAM_OPERATIONS = ("DescribeStream", "GetShardIterator", "GetRecords", "ListStreams")
# What one call needs: (IAM action, resource ARN, the request's s3:prefix or None).
Need = tuple[str, str, str | None]
# What a role grants: (IAM action, resource pattern, the s3:prefix patterns it is limited to).
Grant = tuple[str, str, tuple[str, ...] | None]
# Granted but not seen in the flow, and why that is right.
UNSEEN_BUT_NEEDED = {
    "dynamodb:DescribeTable": "PynamoDB reads the key schema for a page cursor it lacks",
    "dynamodb:ListStreams": "part of the documented set Lambda's poller may call",
}


def _data_actions(statement: Statement) -> list[str]:
    return [a for a in statement.actions if a == "*" or a.lower().startswith(DATA_SERVICES)]


def test_no_statement_gives_data_actions_on_every_resource(packaged: Packaged) -> None:
    checked = 0
    for statement in statements(packaged.template):
        actions = _data_actions(statement)
        if not actions:
            continue
        if statement.kind == "AWS::KMS::Key":
            # In a key policy the Resource must be "*", meaning this key; what matters
            # is who: the account itself, which delegates to IAM policies by ARN.
            principal = statement.body["Principal"]
            assert principal != "*", statement
            assert principal.get("AWS") != "*", statement
            assert "${AWS::AccountId}:root" in principal["AWS"]["Fn::Sub"], statement
            continue
        checked += 1
        assert "NotResource" not in statement.body, statement
        assert "NotAction" not in statement.body, statement
        assert "*" not in statement.resources, f"{statement.owner}: {actions} on Resource '*'"
        if statement.effect == "Allow":
            broad = [a for a in actions if a == "*" or a.endswith(":*")]
            assert not broad, f"{statement.owner} allows {broad}"
    assert checked >= 10


class Deployment:
    """What the roles' intrinsics stand for in the moto run, and which key encrypts which bucket."""

    def __init__(self, packaged: Packaged, recorded: Recorded) -> None:
        self.packaged = packaged
        self.recorded = recorded
        self.known = {
            "AWS::Region": recorded.region,
            "AWS::AccountId": recorded.account,
            "AWS::Partition": "aws",
            "EvaluationsTable.StreamArn": recorded.stream_arn,
        }
        self.bucket_keys: dict[str, str] = {}  # bucket name -> the KMS key ARN it encrypts with
        api = packaged.resources["APIHandler"]["Properties"]["Environment"]["Variables"]
        for variable, value in api.items():
            logical = ref_name(value)
            if logical is None or logical not in packaged.resources:
                continue  # a parameter (the mail sender, the site's address)
            kind = packaged.resources[logical]["Type"]
            if kind == "AWS::DynamoDB::Table":
                name = os.environ[variable]  # what the models read, as in AWS
                self.known[logical] = name
                self.known[f"{logical}.Arn"] = recorded.table_arns[name]
            elif kind == "AWS::S3::Bucket":
                name = recorded.buckets.get(variable, f"not-used-{logical.lower()}")
                self.known[logical] = name
                self.known[f"{logical}.Arn"] = f"arn:aws:s3:::{name}"
                key = self._bucket_key(logical)
                if key is not None:
                    arn = f"arn:aws:kms:{recorded.region}:{recorded.account}:key/{key}"
                    self.known[f"{key}.Arn"] = arn
                    self.bucket_keys[name] = arn
        self.functions = {
            f["Properties"]["Handler"]: name for name, f in functions(packaged.template).items()
        }

    def _bucket_key(self, bucket: str) -> str | None:
        encryption = self.packaged.resources[bucket]["Properties"]["BucketEncryption"]
        for rule in encryption["ServerSideEncryptionConfiguration"]:
            key = rule["ServerSideEncryptionByDefault"].get("KMSMasterKeyID")
            if key is not None:
                return ref_name(key)
        return None

    def function(self, handler: str) -> str:
        """The logical id of the function a handler string (or the stream poller) runs as."""
        if handler != POLLER:
            return self.functions[handler]
        (mapping,) = of_type(self.packaged.template, "AWS::Lambda::EventSourceMapping").values()
        name = ref_name(mapping["Properties"]["FunctionName"])
        assert name is not None
        return name

    def grants(self, function: str) -> tuple[str, set[Grant]]:
        role_name, role = role_of(self.packaged.template, function)
        grants: set[Grant] = set()
        for policy in role["Properties"]["Policies"]:
            for body in policy["PolicyDocument"]["Statement"]:
                assert body["Effect"] == "Allow"
                resources = body["Resource"]
                resources = resources if isinstance(resources, list) else [resources]
                actions = body["Action"] if isinstance(body["Action"], list) else [body["Action"]]
                prefixes = self._prefix_condition(body, actions)
                grants |= {
                    (a, resolve(r, self.known), prefixes) for a in actions for r in resources
                }
        return role_name, grants

    def _prefix_condition(self, body: dict[str, Any], actions: list[str]) -> tuple[str, ...] | None:
        """The one condition the roles may use, listing limited to key prefixes; any other
        would make matching on action and ARN inexact."""
        condition = body.get("Condition")
        if not condition or not any(a.lower().startswith(DATA_SERVICES) for a in actions):
            # Mail: SendEmail only from the configured sender, not a data grant.
            return None
        assert actions == ["s3:ListBucket"], body
        assert list(condition) == ["StringLike"], body
        assert list(condition["StringLike"]) == ["s3:prefix"], body
        patterns = condition["StringLike"]["s3:prefix"]
        patterns = patterns if isinstance(patterns, list) else [patterns]
        return tuple(resolve(p, self.known) for p in patterns)

    def needed(self, call: Call) -> list[Need]:
        """What one API call is authorised against: IAM action, resource, s3:prefix."""
        if call.service == "dynamodbstreams":
            assert call.operation in STREAM_OPERATIONS, call.operation
            return [(f"dynamodb:{call.operation}", self.recorded.stream_arn, None)]
        if call.service == "s3":
            return self._s3(call)
        if call.service == "sesv2":
            assert call.operation == "SendEmail", call.operation
            sender = str(call.params["FromEmailAddress"]).rsplit("<", 1)[-1].rstrip(">")
            identity = f"arn:aws:ses:{self.recorded.region}:{self.recorded.account}:identity"
            return [("ses:SendEmail", f"{identity}/{sender}", None)]
        return [(action, arn, None) for action, arn in self._dynamodb(call)]

    def _dynamodb(self, call: Call) -> list[tuple[str, str]]:
        params, operation = call.params, call.operation
        tables = self.recorded.table_arns
        if operation in ITEM_OPERATIONS:
            return [(f"dynamodb:{operation}", tables[params["TableName"]])]
        if operation in ("Query", "Scan"):
            arn = tables[params["TableName"]]
            if "IndexName" in params:
                arn = f"{arn}/index/{params['IndexName']}"
            return [(f"dynamodb:{operation}", arn)]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", tables[name]) for name in params["RequestItems"]]
        if operation in ("TransactGetItems", "TransactWriteItems"):
            needed: list[tuple[str, str]] = []
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                needed.append((TRANSACT_ACTIONS[kind], tables[body["TableName"]]))
            return needed
        raise AssertionError(f"tests/deploy: map dynamodb {operation} to its IAM actions")

    def _s3(self, call: Call) -> list[Need]:
        bucket = call.params["Bucket"]
        bucket_arn = f"arn:aws:s3:::{bucket}"
        key = self.bucket_keys.get(bucket)
        if call.operation.startswith("List"):
            return [("s3:ListBucket", bucket_arn, call.params.get("Prefix"))]
        target = f"{bucket_arn}/{call.params['Key']}"
        if call.operation in ("PutObject", "PostObject (presigned)"):
            needed: list[Need] = [("s3:PutObject", target, None)]
            if "Tagging" in call.params:
                # Tags set by the PutObject itself are authorised as PutObjectTagging too.
                needed.append(("s3:PutObjectTagging", target, None))
            if key:
                # SSE-KMS: S3 asks KMS for a data key as the caller.
                needed.append(("kms:GenerateDataKey", key, None))
            return needed
        if call.operation == "PutObjectTagging":
            return [("s3:PutObjectTagging", target, None)]
        if call.operation in ("GetObject", "HeadObject", "GetObject (presigned)"):
            needed = [
                ("s3:GetObject", target, None),
                *([("kms:Decrypt", key, None)] if key else []),
            ]
            if call.error in ("NoSuchKey", "404"):
                # S3 says 404 rather than 403 only to a caller that may list the bucket:
                # with a role that may list only some prefixes, the key's own.
                needed.append(("s3:ListBucket", bucket_arn, call.params["Key"]))
            return needed
        raise AssertionError(f"tests/deploy: map s3 {call.operation} to its IAM actions")


def _condition_holds(prefixes: tuple[str, ...] | None, prefix: str | None) -> bool:
    if prefixes is None:
        return True
    return prefix is not None and any(matches(p, prefix) for p in prefixes)


def _allowed(grants: Iterable[Grant], action: str, resource: str, prefix: str | None) -> bool:
    return any(
        action_matches(a, action) and matches(r, resource) and _condition_holds(c, prefix)
        for a, r, c in grants
    )


def test_every_route_and_handler_is_exercised_by_the_policy_flow(recorded: Recorded) -> None:
    app = load_app().app
    routes = {(m, path) for path, entries in app.routes.items() for m in entries}
    missing = routes - recorded.routes
    assert not missing, f"add a step for {sorted(missing)} in tests/deploy/flow.py"
    handlers = {f.handler_string for f in app.pure_lambda_functions}
    handlers |= {source.handler_string for source in app.event_sources}
    not_run = handlers - recorded.handlers
    assert not not_run, f"invoke {sorted(not_run)} in tests/deploy/flow.py"


def test_each_role_allows_every_call_its_handler_makes(
    packaged: Packaged, recorded: Recorded
) -> None:
    deployment = Deployment(packaged, recorded)
    assert POLLER in recorded.calls
    for handler, calls in recorded.calls.items():
        role_name, grants = deployment.grants(deployment.function(handler))
        for call in calls:
            for action, resource, prefix in deployment.needed(call):
                assert _allowed(grants, action, resource, prefix), (
                    f"{role_name} does not allow {action} on {resource} "
                    f"(s3:prefix {prefix!r}; {handler} called {call.operation}): "
                    "AccessDenied in AWS"
                )


def test_each_role_allows_nothing_its_handler_does_not_do(
    packaged: Packaged, recorded: Recorded
) -> None:
    deployment = Deployment(packaged, recorded)
    used: dict[str, set[Need]] = {}
    for handler, calls in recorded.calls.items():
        needed = {need for call in calls for need in deployment.needed(call)}
        used.setdefault(deployment.function(handler), set()).update(needed)
    for function, needed in used.items():
        role_name, grants = deployment.grants(function)
        for action, resource, prefixes in grants:
            if not action.startswith(DATA_SERVICES):
                continue
            if action in UNSEEN_BUT_NEEDED:
                assert any(r == resource for _, r, _ in needed), (role_name, action, resource)
                continue
            assert any(
                action_matches(action, a) and matches(resource, r) and _condition_holds(prefixes, p)
                for a, r, p in needed
            ), (
                f"{role_name} allows {action} on {resource} (s3:prefix {prefixes}), which "
                f"{function} never does: remove it, or add the step that needs it to "
                "tests/deploy/flow.py"
            )
