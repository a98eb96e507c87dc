"""The packaged template (build/package/sam.yaml) against the app and the models."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from moto.events.models import EventPattern
from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from chalicelib.adapters import models
from chalicelib.adapters.uploads import PROCESSED_TAG
from chalicelib.domain.batch import upload_keys
from chalicelib.domain.principal import ROLES
from chalicelib.services import importer
from infra.aws.template import functions, of_type
from infra.local.stack import IMPORT_TIMEOUT_S
from tests.deploy.conftest import Packaged
from tests.deploy.view import getatt, ref_name, role_of
from tests.functional.imports_support import event as upload_event
from tests.support import ROOT, load_app

# Read by chalicelib but deliberately not set in AWS.
NOT_SET_IN_AWS = {
    "LAATU_LOCAL_JWT_SECRET": "only read with LAATU_AUTH_MODE=local",
}
RETRIED_EVENT_TYPES = ("Schedule", "ScheduleV2", "CloudWatchEvent", "EventBridgeRule")


def _swagger_routes(packaged: Packaged) -> dict[str, set[str]]:
    paths = packaged.resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    return {path: {m.upper() for m in methods} for path, methods in paths.items()}


def test_every_route_goes_to_the_api_handler(packaged: Packaged) -> None:
    app = load_app().app
    wanted = {path: set(entries) for path, entries in app.routes.items()}
    assert _swagger_routes(packaged) == wanted
    api = packaged.resources["APIHandler"]["Properties"]
    assert api["Handler"] == "app.app"
    for methods in packaged.resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"].values():
        for operation in methods.values():
            uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            assert "${APIHandler.Arn}" in uri
    permission = packaged.resources["APIHandlerInvokePermission"]["Properties"]
    assert ref_name(permission["FunctionName"]) == "APIHandler"
    assert permission["Principal"] == "apigateway.amazonaws.com"


def _triggers(packaged: Packaged, name: str) -> list[str]:
    found: list[str] = []
    if name == "APIHandler":
        found.append("RestAPI")
    for mapping_name, mapping in of_type(
        packaged.template, "AWS::Lambda::EventSourceMapping"
    ).items():
        if ref_name(mapping["Properties"]["FunctionName"]) == name:
            found.append(mapping_name)
    for rule_name, rule in of_type(packaged.template, "AWS::Events::Rule").items():
        targets = rule["Properties"].get("Targets", [])
        if any(ref_name(t.get("Arn")) == name for t in targets):
            found.append(rule_name)
    events = packaged.resources[name]["Properties"].get("Events", {})
    found += [f"{name}.Events.{event}" for event in events]
    return found


def test_every_handler_exists_with_its_trigger(packaged: Packaged) -> None:
    app = load_app().app
    handlers = {f.handler_string for f in app.pure_lambda_functions}
    handlers |= {source.handler_string for source in app.event_sources}
    deployed = {
        f["Properties"]["Handler"]: name for name, f in functions(packaged.template).items()
    }
    assert handlers | {"app.app"} <= set(deployed), "a handler in app.py has no function"
    assert deployed["app.stream_consumer"] == "StreamConsumer"
    for name in deployed.values():
        assert _triggers(packaged, name), f"{name} has no trigger in infra/aws/template.yaml"


def _queue_policy_allows_eventbridge(packaged: Packaged, queue: str) -> bool:
    for policy in of_type(packaged.template, "AWS::SQS::QueuePolicy").values():
        if queue not in {ref_name(q) for q in policy["Properties"]["Queues"]}:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Principal"] == {"Service": "events.amazonaws.com"}:
                return "aws:SourceArn" in statement["Condition"]["ArnEquals"]
    return False


def test_scheduled_and_eventbridge_handlers_retry_into_a_dead_letter_queue(
    packaged: Packaged,
) -> None:
    """EventBridge's RetryPolicy and DLQ cover delivering the event; the function's
    EventInvokeConfig covers the run failing, since Lambda takes the event asynchronously."""
    retried = 0
    for name, function in functions(packaged.template).items():
        props = function["Properties"]
        for event_name, event in props.get("Events", {}).items():
            if event["Type"] not in RETRIED_EVENT_TYPES:
                continue
            retried += 1
            where = f"{name}.Events.{event_name}"
            options = event.get("Properties", {})
            assert "RetryPolicy" in options, f"{where} needs a RetryPolicy"
            queue = getatt(options.get("DeadLetterConfig", {}).get("Arn"))
            assert queue is not None, f"{where} needs a DeadLetterConfig naming a queue"
            assert _queue_policy_allows_eventbridge(packaged, queue[0]), f"{queue[0]}'s policy"
            invoke = props.get("EventInvokeConfig", {})
            assert "MaximumRetryAttempts" in invoke, f"{name} needs an EventInvokeConfig"
            on_failure = invoke["DestinationConfig"]["OnFailure"]["Destination"]
            assert getatt(on_failure) == queue, f"{name}'s failed runs go to {queue[0]} too"
    for rule_name, rule in of_type(packaged.template, "AWS::Events::Rule").items():
        for target in rule["Properties"].get("Targets", []):
            target_name = ref_name(target.get("Arn"))
            if target_name is None or target_name not in functions(packaged.template):
                continue
            retried += 1
            where = f"{rule_name} -> {target_name}"
            assert "RetryPolicy" in target, f"{where} needs a RetryPolicy"
            queue = getatt(target.get("DeadLetterConfig", {}).get("Arn"))
            assert queue is not None, f"{where} needs a DeadLetterConfig naming a queue"
            assert _queue_policy_allows_eventbridge(packaged, queue[0]), f"{queue[0]}'s policy"
            invoke = packaged.resources[target_name]["Properties"].get("EventInvokeConfig", {})
            on_failure = invoke["DestinationConfig"]["OnFailure"]["Destination"]
            assert getatt(on_failure) == queue, f"{target_name}'s runs that fail go there too"
    heartbeats = [e for e in load_app().app.event_sources if hasattr(e, "schedule_expression")]
    assert retried >= len(heartbeats)


def test_the_stream_mapping_retries_bisects_and_parks_failures(packaged: Packaged) -> None:
    mappings = [
        m["Properties"]
        for m in of_type(packaged.template, "AWS::Lambda::EventSourceMapping").values()
        if ref_name(m["Properties"]["FunctionName"]) == "StreamConsumer"
    ]
    assert len(mappings) == 1
    mapping = mappings[0]
    assert getatt(mapping["EventSourceArn"]) == ("EvaluationsTable", "StreamArn")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 <= mapping["MaximumRetryAttempts"] <= 10_000
    assert 60 <= mapping["MaximumRecordAgeInSeconds"] <= 604_800
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    assert getatt(destination) == ("StreamFailureQueue", "Arn")
    assert packaged.resources["StreamFailureQueue"]["Type"] == "AWS::SQS::Queue"
    # The handler answers in the partial-batch shape the mapping was told to expect.
    assert load_app().stream_consumer({"Records": []}, None) == {"batchItemFailures": []}


def _laatu_variables() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        names.update(re.findall(r"[\"'](LAATU_[A-Z0-9_]+)[\"']", path.read_text("utf-8")))
    return names


def test_functions_take_their_settings_from_the_stack(packaged: Packaged) -> None:
    expected = {
        "LAATU_AUTH_MODE": "cognito",
        "LAATU_TABLE": {"Ref": "MainTable"},
        "LAATU_EVALUATIONS_TABLE": {"Ref": "EvaluationsTable"},
        "LAATU_USER_POOL_ID": {"Ref": "UserPool"},
        "LAATU_USER_POOL_CLIENT_ID": {"Ref": "UserPoolClient"},
    }
    read = _laatu_variables()
    assert set(expected) <= read | {"LAATU_AUTH_MODE"}
    for name, function in functions(packaged.template).items():
        variables = function["Properties"]["Environment"]["Variables"]
        for key, value in expected.items():
            assert variables.get(key) == value, (name, key)
        unset = read - set(variables) - set(NOT_SET_IN_AWS)
        assert not unset, (
            f"{name} does not set {sorted(unset)}: add them in infra/aws/template.yaml"
        )


def test_functions_log_with_a_retention_and_run_a_python_3_runtime(packaged: Packaged) -> None:
    for name, function in functions(packaged.template).items():
        props = function["Properties"]
        assert re.fullmatch(r"python3\.(1[1-9])", props["Runtime"]), props["Runtime"]
        group = ref_name(props["LoggingConfig"]["LogGroup"])
        assert group is not None
        log_group = packaged.resources[group]
        assert log_group["Type"] == "AWS::Logs::LogGroup"
        assert log_group["Properties"]["RetentionInDays"], f"{name}'s logs are kept forever"
        role_name, _ = role_of(packaged.template, name)
        assert "Policies" not in props, f"{name}: grant in {role_name}, not with SAM policies"


def _models_of(table_name: str) -> list[type[Model]]:
    found = [
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, Model) and value is not Model
    ]
    return [m for m in found if getattr(m.Meta, "table_name", None) == table_name]


def _key_schema(entries: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {str(e["AttributeName"]): str(e["KeyType"]) for e in entries}


def _expected_table(table_models: list[type[Model]]) -> dict[str, Any]:
    attributes: dict[str, str] = {}
    indexes: dict[str, tuple[dict[str, str], str]] = {}
    key_schemas: set[tuple[tuple[str, str], ...]] = set()
    ttl: set[str] = set()
    meta: dict[str, set[str]] = {"billing_mode": set(), "stream_view_type": set()}
    for model in table_models:
        schema = model._get_schema()
        key_schemas.add(tuple(sorted(_key_schema(schema["key_schema"]).items())))
        attributes.update(
            {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
        )
        for index in schema["global_secondary_indexes"]:
            indexes[index["index_name"]] = (
                _key_schema(index["key_schema"]),
                index["projection"]["ProjectionType"],
            )
        assert not schema["local_secondary_indexes"], "the template has no LSI support yet"
        ttl.update(
            a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)
        )
        for key, values in meta.items():
            if getattr(model.Meta, key, None):
                values.add(str(getattr(model.Meta, key)))
    assert len(key_schemas) == 1, f"models of one table disagree on its keys: {key_schemas}"
    return {
        "keys": dict(key_schemas.pop()),
        "attributes": attributes,
        "indexes": indexes,
        "ttl": ttl,
        "billing_mode": meta["billing_mode"],
        "stream": meta["stream_view_type"],
    }


def _deployed_table(resource: dict[str, Any]) -> dict[str, Any]:
    props = resource["Properties"]
    ttl = props.get("TimeToLiveSpecification")
    stream = props.get("StreamSpecification")
    return {
        "keys": _key_schema(props["KeySchema"]),
        "attributes": {
            a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]
        },
        "indexes": {
            i["IndexName"]: (_key_schema(i["KeySchema"]), i["Projection"]["ProjectionType"])
            for i in props.get("GlobalSecondaryIndexes", [])
        },
        "ttl": {ttl["AttributeName"]} if ttl and ttl.get("Enabled") else set(),
        "billing_mode": {props["BillingMode"]},
        "stream": {stream["StreamViewType"]} if stream else set(),
    }


def test_tables_match_the_pynamodb_models(packaged: Packaged) -> None:
    variables = packaged.resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    owners = {
        models.MAIN_TABLE_ENV: models.AggregateModel,
        models.EVALUATIONS_TABLE_ENV: models.EvaluationModel,
    }
    for variable, owner in owners.items():
        logical = ref_name(variables[variable])
        assert logical is not None
        table = packaged.resources[logical]
        assert table["Type"] == "AWS::DynamoDB::Table"
        table_models = _models_of(os.environ[variable])
        assert owner in table_models
        assert _deployed_table(table) == _expected_table(table_models), logical
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    # The main table's index belongs to the aggregates; the stream to the evaluations.
    assert _expected_table(_models_of(os.environ[models.MAIN_TABLE_ENV]))["ttl"] == {"expires"}


def _bucket_policy(packaged: Packaged, bucket: str) -> list[dict[str, Any]]:
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(packaged.template, "AWS::S3::BucketPolicy").values()
        if ref_name(p["Properties"]["Bucket"]) == bucket
    ]
    assert len(policies) == 1, f"{bucket} has {len(policies)} bucket policies"
    statements: list[dict[str, Any]] = policies[0]
    return statements


def test_every_bucket_blocks_public_access_and_refuses_plain_http(packaged: Packaged) -> None:
    buckets = of_type(packaged.template, "AWS::S3::Bucket")
    assert set(buckets) >= {"UploadsBucket", "ExportsBucket", "SiteBucket"}
    for name, bucket in buckets.items():
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        assert block == dict.fromkeys(
            ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"),
            True,
        ), name
        rules = bucket["Properties"]["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}], name  # no ACLs at all
        plain_http = [
            s
            for s in _bucket_policy(packaged, name)
            if s["Effect"] == "Deny"
            and s["Principal"] == "*"
            and s["Action"] == "s3:*"
            and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert len(plain_http) == 1, f"{name} must refuse aws:SecureTransport=false"
        covered = {ref_name(r) or str(r) for r in plain_http[0]["Resource"]}
        assert len(plain_http[0]["Resource"]) == 2, covered  # the bucket and its objects


def test_exports_are_versioned_kms_encrypted_and_never_overwritten(packaged: Packaged) -> None:
    props = packaged.resources["ExportsBucket"]["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    default = rule["ServerSideEncryptionByDefault"]
    assert default["SSEAlgorithm"] == "aws:kms"
    assert getatt(default["KMSMasterKeyID"]) == ("ExportsKey", "Arn")
    key = packaged.resources["ExportsKey"]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    overwrite = [
        s
        for s in _bucket_policy(packaged, "ExportsBucket")
        if s["Effect"] == "Deny"
        and s["Action"] == "s3:PutObject"
        and "Null" in s.get("Condition", {})
    ]
    assert overwrite, "the exports bucket must refuse writes without If-None-Match"
    assert overwrite[0]["Condition"]["Null"] == {"s3:if-none-match": "true"}
    # Nobody is given a way to remove or replace an export.
    for role in of_type(packaged.template, "AWS::IAM::Role").values():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = (
                    statement["Action"]
                    if isinstance(statement["Action"], list)
                    else [statement["Action"]]
                )
                assert not any(a.startswith("s3:Delete") or a == "s3:*" for a in actions)


def test_uploads_notify_eventbridge_expire_and_allow_the_sites_post(packaged: Packaged) -> None:
    props = packaged.resources["UploadsBucket"]["Properties"]
    assert props["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-processed-uploads"]["TagFilters"] == [
        {"Key": "laatu-import", "Value": "done"}
    ]
    assert "ExpirationInDays" in rules["expire-all-uploads"]
    cors = props["CorsConfiguration"]["Fn::If"]
    assert cors[0] == "HasSiteUrl"
    (rule,) = cors[1]["CorsRules"]
    assert rule["AllowedMethods"] == ["POST"]
    assert rule["AllowedOrigins"] == [{"Ref": "SiteUrl"}]


def _resolved_pattern(value: Any, bucket: str) -> Any:
    """The rule's event pattern with the bucket's Ref filled in."""
    if isinstance(value, dict):
        if value == {"Ref": "UploadsBucket"}:
            return bucket
        return {k: _resolved_pattern(v, bucket) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved_pattern(v, bucket) for v in value]
    return value


def test_uploads_start_the_importer_which_runs_and_retries_as_its_code_expects(
    packaged: Packaged,
) -> None:
    (rule,) = [
        r["Properties"]
        for r in of_type(packaged.template, "AWS::Events::Rule").values()
        if any(ref_name(t["Arn"]) == "UploadImporter" for t in r["Properties"]["Targets"])
    ]
    bucket = "uploads-bucket"
    pattern = EventPattern.load(json.dumps(_resolved_pattern(rule["EventPattern"], bucket)))

    def matches(key: str, bucket_name: str) -> bool:
        sent: Any = upload_event(key, bucket_name=bucket_name)  # the event the importer handles
        return bool(pattern.matches_event(sent))

    upload = f"{upload_keys.UPLOADS_PREFIX}acme/import-1/syyskuu+2026.csv"
    assert matches(upload, bucket)
    assert not matches(upload, "another-bucket")
    assert not matches("elsewhere/acme/import-1/a.csv", bucket)
    permission = [
        p["Properties"]
        for p in of_type(packaged.template, "AWS::Lambda::Permission").values()
        if ref_name(p["Properties"]["FunctionName"]) == "UploadImporter"
    ]
    assert [(p["Principal"], getatt(p["SourceArn"])) for p in permission] == [
        ("events.amazonaws.com", ("UploadArrivedRule", "Arn"))
    ]
    props = packaged.resources["UploadImporter"]["Properties"]
    # Lambda's longest run, as the local stack gives it; the importer stops 30 s before.
    assert props["Timeout"] == IMPORT_TIMEOUT_S == 900
    assert props["MemorySize"] >= 1769
    # The importer fails an import on its third failed attempt: Lambda's first and two retries.
    assert props["EventInvokeConfig"]["MaximumRetryAttempts"] + 1 == importer.MAX_FAILURES


def _statements_of(packaged: Packaged, role: str) -> list[dict[str, Any]]:
    return [
        s
        for p in packaged.resources[role]["Properties"]["Policies"]
        for s in p["PolicyDocument"]["Statement"]
    ]


def _on_uploads(statement: dict[str, Any]) -> str | None:
    resource = statement["Resource"]
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        text = str(resource["Fn::Sub"])
        if text.startswith("${UploadsBucket.Arn}/"):
            return text.removeprefix("${UploadsBucket.Arn}/")
    return None


def test_uploads_roles_write_and_read_only_what_imports_need(packaged: Packaged) -> None:
    """Finer than the policy flow can tell: it sees that a grant is used, not that it
    is no wider than its use. The importer writes only reports; the API's links read
    only reports; listing is limited to the uploads prefix."""
    reports = f"{upload_keys.UPLOADS_PREFIX}*{upload_keys.REPORT_SUFFIX}"
    uploads = f"{upload_keys.UPLOADS_PREFIX}*"
    grants: dict[str, set[tuple[str, str]]] = {}
    for role in ("UploadImporterRole", "ApiHandlerRole"):
        for statement in _statements_of(packaged, role):
            where = _on_uploads(statement)
            actions = statement["Action"]
            actions = actions if isinstance(actions, list) else [actions]
            if where is not None:
                grants.setdefault(role, set()).update((a, where) for a in actions)
            elif "s3:ListBucket" in actions and getatt(statement["Resource"]) == (
                "UploadsBucket",
                "Arn",
            ):
                prefixes = statement["Condition"]["StringLike"]["s3:prefix"]
                assert prefixes == [uploads], prefixes
                grants.setdefault(role, set()).add(("s3:ListBucket", uploads))
    assert grants["UploadImporterRole"] == {
        ("s3:GetObject", uploads),
        ("s3:PutObjectTagging", uploads),
        ("s3:PutObject", reports),
        ("s3:ListBucket", uploads),
    }
    assert grants["ApiHandlerRole"] == {("s3:PutObject", uploads), ("s3:GetObject", reports)}
    # The tag the importer sets is the one the lifecycle rule expires.
    name, _, value = PROCESSED_TAG.partition("=")
    rules = packaged.resources["UploadsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert {"Key": name, "Value": value} in [t for r in rules for t in r.get("TagFilters", [])]


def test_cognito_carries_tenant_agent_and_the_five_roles(packaged: Packaged) -> None:
    pool = packaged.resources["UserPool"]["Properties"]
    custom = {a["Name"]: a for a in pool["Schema"]}
    assert set(custom) == {"tenant", "agent_id"}
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    groups = {
        g["Properties"]["GroupName"]
        for g in of_type(packaged.template, "AWS::Cognito::UserPoolGroup").values()
    }
    assert groups == set(ROLES)
    client = packaged.resources["UserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False
    assert {"custom:tenant", "custom:agent_id"} <= set(client["ReadAttributes"])
    assert not any(a.startswith("custom:") for a in client["WriteAttributes"]), (
        "a user must not be able to change their own tenant or agent id"
    )
    assert packaged.resources["UserPoolDomain"]["Type"] == "AWS::Cognito::UserPoolDomain"


def test_the_site_is_private_behind_cloudfront_with_the_api_on_the_same_origin(
    packaged: Packaged,
) -> None:
    config = packaged.resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert ref_name(origins["site"]["OriginAccessControlId"]) == "SiteOriginAccessControl"
    assert getatt(origins["site"]["DomainName"]) == ("SiteBucket", "RegionalDomainName")
    assert "${RestAPI}" in origins["api"]["DomainName"]["Fn::Sub"]
    stage = packaged.resources["RestAPI"]["Properties"]["StageName"]
    assert origins["api"]["OriginPath"] == f"/{stage}"
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/v1/*"]
    assert api["TargetOriginId"] == "api"
    # CloudFront passes Authorization on only when the cache key includes it.
    policy = packaged.resources[str(ref_name(api["CachePolicyId"]))]["Properties"]
    headers = policy["CachePolicyConfig"]["ParametersInCacheKeyAndForwardedToOrigin"][
        "HeadersConfig"
    ]
    assert headers["Headers"] == ["Authorization"]
    reads = [
        s
        for s in _bucket_policy(packaged, "SiteBucket")
        if s["Effect"] == "Allow" and s["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    ]
    assert len(reads) == 1
    assert (
        "${SiteDistribution}" in reads[0]["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    )


def test_the_payroll_role_reads_only_its_tenants_exports(packaged: Packaged) -> None:
    role = packaged.resources["PayrollRole"]
    assert role["Condition"] == "HasPayroll"
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"AWS": {"Ref": "PayrollPrincipalArn"}}]
    statements = [
        s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
    ]
    by_action = {s["Action"]: s for s in statements}
    assert set(by_action) == {"s3:GetObject", "s3:ListBucket", "kms:Decrypt"}
    assert by_action["s3:GetObject"]["Resource"] == {
        "Fn::Sub": "${ExportsBucket.Arn}/exports/${PayrollTenant}/*"
    }
    prefixes = by_action["s3:ListBucket"]["Condition"]["StringLike"]["s3:prefix"]
    assert [p["Fn::Sub"] for p in prefixes] == [
        "exports/${PayrollTenant}/",
        "exports/${PayrollTenant}/*",
    ]
    assert getatt(by_action["kms:Decrypt"]["Resource"]) == ("ExportsKey", "Arn")


def test_dead_letters_and_failures_raise_alarms(packaged: Packaged) -> None:
    alarms = of_type(packaged.template, "AWS::CloudWatch::Alarm").values()
    watched: set[str] = set()
    for alarm in alarms:
        props = alarm["Properties"]
        assert props["AlarmActions"], "an alarm nobody hears"
        for dimension in props["Dimensions"]:
            name = ref_name(dimension["Value"])
            if name is not None:
                watched.add(f"{props['MetricName']}:{name}")
    assert "ApproximateNumberOfMessagesVisible:StreamFailureQueue" in watched
    for function in functions(packaged.template):
        assert f"Errors:{function}" in watched, f"no alarm on {function}'s errors"
    queues = of_type(packaged.template, "AWS::SQS::Queue")
    for queue in queues:
        assert f"ApproximateNumberOfMessagesVisible:{queue}" in watched, f"no alarm on {queue}"
