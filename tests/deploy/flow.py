"""Every route and every handler on moto, with each AWS call noted per handler.

The hand-written Lambda roles in infra/aws/template.yaml are checked against
these calls (test_policies.py): a call the role does not allow would be an
AccessDenied in AWS, which nothing here could otherwise show.

Calls are wrapped at `botocore.client.BaseClient._make_api_call`, which both
PynamoDB's own client and boto3 clients go through (see tests/bench/recorder.py).
They are noted under the handler string of the function making them
("app.app", "app.stream_consumer", ...). The stream is read through the Streams
API as Lambda's poller would: those calls are made with the role of the
function the mapping feeds, so they are noted as `POLLER`. Presigned links the
API hands out are noted too: whoever follows one acts with the API's role.

The upload importer is invoked as EventBridge would (an "Object Created"
event whose key is URL-encoded, as S3 sends it, so the importer first looks for
the key as given and finds nothing), after the file was posted through the
presigned POST the API handed out; the report's own event follows. A second
upload of the same rows, changed, takes the path for ids that exist already.

A route or handler added to functions/app.py must get a step here (the tests
say which): that is how its calls come to be checked. moto's cancelled
transactions leave its stream unusable (tests/bench/flow.py, REPLAY_LAST), so
the steps that cancel one come last.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, unquote, urlsplit

import boto3
import requests
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from chalice.test import Client
from moto import mock_aws

from chalicelib.adapters.aggregate_store import changes_pk
from chalicelib.adapters.export_files import EXPORTS_BUCKET_ENV, ExportFiles
from chalicelib.adapters.models import (
    AggregateModel,
    ChangeCountModel,
    EvaluationModel,
    TenantModel,
)
from chalicelib.adapters.tables import create_tables
from chalicelib.adapters.uploads import UPLOADS_BUCKET_ENV, UploadStore
from tests.functional.api import Answer, Api
from tests.functional.conftest import StreamReader, deliver
from tests.functional.imports_support import context, csv_bytes, event, row
from tests.support import all_answers, auth, demo_form, evaluation_body, load_app

POLLER = "POLLER"  # Lambda's event source mapping, reading the stream
API = "app.app"
STREAM = "app.stream_consumer"
HEARTBEAT = "app.payroll_heartbeat"
IMPORTER = "app.upload_importer"
SERVICES = ("dynamodb", "dynamodbstreams", "s3")
PERIOD = "2026-10"  # ended, so it can be exported
OCCURRED = "2026-10-05T10:15:00+03:00"
ApiCall = Callable[[Any, str, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    params: dict[str, Any]
    error: str | None = None


@dataclass
class Recorded:
    calls: dict[str, list[Call]] = field(default_factory=dict)
    routes: set[tuple[str, str]] = field(default_factory=set)  # (METHOD, route template)
    handlers: set[str] = field(default_factory=set)  # handler strings invoked
    table_arns: dict[str, str] = field(default_factory=dict)  # table name -> ARN
    buckets: dict[str, str] = field(default_factory=dict)  # env variable -> bucket name
    stream_arn: str = ""
    region: str = ""
    account: str = ""


class Recorder:
    def __init__(self, recorded: Recorded) -> None:
        self.recorded = recorded
        self.handler: str | None = None

    def note(self, handler: str, call: Call) -> None:
        self.recorded.calls.setdefault(handler, []).append(call)

    @contextmanager
    def installed(self) -> Iterator[None]:
        client_class: Any = BaseClient  # botocore's stubs leave out the private method
        original: ApiCall = client_class._make_api_call
        recorder = self

        def noted(client: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
            service = client.meta.service_model.service_name
            handler = recorder.handler
            if handler is None or service not in SERVICES:
                return original(client, operation, params)
            plain = json.loads(json.dumps(params, default=str))
            try:
                response = original(client, operation, params)
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code"))
                recorder.note(handler, Call(service, operation, plain, code))
                raise
            recorder.note(handler, Call(service, operation, plain))
            return response

        client_class._make_api_call = noted
        try:
            yield
        finally:
            client_class._make_api_call = original

    @contextmanager
    def as_handler(self, handler: str) -> Iterator[None]:
        if handler != POLLER:
            self.recorded.handlers.add(handler)
        self.handler = handler
        try:
            yield
        finally:
            self.handler = None


class Steps:
    """The API's routes, each called through chalice.test.Client as the API handler."""

    def __init__(self, api: Api, recorder: Recorder) -> None:
        self.api = api
        self.recorder = recorder

    def call(
        self,
        method: str,
        route: str,
        path: str,
        role: str,
        expect: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        self.recorder.recorded.routes.add((method, route))
        with self.recorder.as_handler(API):
            answer = self.api.call(method, path, role, body=body, headers=headers)
        assert answer.status == expect, (method, path, answer.status, answer.body)
        return answer

    def text(self, method: str, route: str, path: str, role: str, expect: int) -> str:
        """A route that answers something other than JSON (a CSV file)."""
        self.recorder.recorded.routes.add((method, route))
        with self.recorder.as_handler(API):
            response = getattr(self.api.client.http, method.lower())(path, headers=auth(role))
        assert response.status_code == expect, (method, path, response.status_code)
        body = response.body
        return body.decode() if isinstance(body, bytes) else str(body)

    def _bucket(self, url: str) -> str:
        bucket = urlsplit(url).netloc.split(".", 1)[0]  # virtual-hosted: BUCKET.s3...amazonaws.com
        assert bucket in self.recorder.recorded.buckets.values(), url
        return bucket

    def links(self, urls: list[str]) -> None:
        """Whoever follows a presigned link acts with the API handler's role."""
        for url in urls:
            params = {"Bucket": self._bucket(url), "Key": unquote(urlsplit(url).path.lstrip("/"))}
            self.recorder.note(API, Call("s3", "GetObject (presigned)", params))

    def post_file(self, answer: Answer, name: str, data: bytes) -> str:
        """The browser's part of POST /v1/imports: the file through the presigned POST
        (S3 checks it against the API handler's role, which signed it). Its key."""
        upload = answer.body["upload"]
        bucket = self._bucket(upload["url"])
        posted = requests.post(
            upload["url"],
            data=upload["fields"],
            files={upload["file_field"]: (name, data)},
            timeout=10,
        )
        assert posted.status_code == 204, posted.text
        key = str(upload["key_prefix"]) + name
        params = {"Bucket": bucket, "Key": key}
        self.recorder.note(API, Call("s3", "PostObject (presigned)", params))
        return key


def _export_links(answer: Answer) -> list[str]:
    return [url for r in answer.body["revisions"] for url in r["files"].values()]


def _stream(reader: StreamReader, recorder: Recorder, client: Client, broken: bool) -> None:
    with recorder.as_handler(POLLER):
        records = reader.read()
    assert records, "the writes before this step left stream records"
    with recorder.as_handler(STREAM):
        assert deliver(client, records) == {"batchItemFailures": []}
        # At-least-once: the same batch again changes nothing.
        assert deliver(client, records) == {"batchItemFailures": []}
        if broken:
            # A record that can never be applied is quarantined (a write of its own).
            record = dict(records[-1])
            record["dynamodb"] = {
                **records[-1]["dynamodb"],
                "NewImage": {"sk": {"S": "REV#000001"}, "tenant": {"S": "acme"}},
            }
            record["eventID"] = "broken-1"
            assert deliver(client, [record]) == {"batchItemFailures": []}


def _heartbeat(recorder: Recorder, client: Client) -> set[tuple[str, str]]:
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    with recorder.as_handler(HEARTBEAT):
        result = client.lambda_.invoke("payroll_heartbeat", event).payload
    return {(r["period"], r["outcome"]) for r in result["results"]}


def _import(recorder: Recorder, app: Any, key: str) -> str:
    """Invoke the importer as EventBridge does: the key URL-encoded, as S3 sends it."""
    encoded = quote_plus(key, safe="/")
    with recorder.as_handler(IMPORTER):
        # Lambda's context for the function's 900 s timeout (chalice.test's is 3 s).
        result: dict[str, Any] = app.handler_map["upload_importer"](event(encoded), context())
    return str(result["outcome"])


def run() -> Recorded:
    recorded = Recorded()
    recorder = Recorder(recorded)
    with mock_aws(), recorder.installed():
        create_tables()
        dynamodb = boto3.client("dynamodb")
        described = dynamodb.describe_table(TableName=EvaluationModel.Meta.table_name)["Table"]
        recorded.stream_arn = described["LatestStreamArn"]
        for model in (AggregateModel, EvaluationModel):
            table = dynamodb.describe_table(TableName=model.Meta.table_name)["Table"]
            recorded.table_arns[model.Meta.table_name] = table["TableArn"]
        # arn:aws:dynamodb:REGION:ACCOUNT:table/NAME
        _, _, _, recorded.region, recorded.account, _ = described["TableArn"].split(":", 5)
        recorded.buckets[EXPORTS_BUCKET_ENV] = ExportFiles().bucket
        recorded.buckets[UPLOADS_BUCKET_ENV] = UploadStore().bucket
        for bucket in recorded.buckets.values():
            boto3.client("s3").create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": recorded.region}
            )
        # A tenant registered before the period, so the heartbeat finds it due.
        TenantModel("TENANTS", "acme", created_at="2026-09-01T00:00:00Z").save()
        app = load_app().app
        with Client(app) as client:
            _drive(Steps(Api(client), recorder), recorder, client, app)
    return recorded


def _drive(steps: Steps, recorder: Recorder, client: Client, app: Any) -> None:
    form = demo_form()
    form_id = form["form_id"]
    one = f"/v1/forms/{form_id}"
    steps.call("POST", "/v1/forms", "/v1/forms", "admin", 201, body=form)
    steps.call("GET", "/v1/forms", "/v1/forms", "evaluator", 200)
    etag = steps.call("GET", "/v1/forms/{form_id}", one, "admin", 200).headers["etag"]
    renamed = {**form, "name": "Renamed before publishing"}
    steps.call("PUT", "/v1/forms/{form_id}", one, "admin", 200, renamed, {"If-Match": etag})
    steps.call("POST", "/v1/forms/{form_id}/publish", f"{one}/publish", "admin", 201)
    steps.call("GET", "/v1/forms/{form_id}/versions", f"{one}/versions", "admin", 200)
    steps.call("GET", "/v1/forms/{form_id}/versions/{version}", f"{one}/versions/1", "admin", 200)

    tier = {"name": "A", "min_average": "80", "amount": "100.00"}
    rules = {"incentives": {"min_scored": 1, "tiers": [tier]}}
    steps.call("PUT", "/v1/settings", "/v1/settings", "admin", 200, rules)
    steps.call("GET", "/v1/settings", "/v1/settings", "admin", 200)
    agent = "/v1/agents/agent-7"
    steps.call("PUT", "/v1/agents/{agent_id}", agent, "admin", 200, {"payroll_id": "E-7"})
    steps.call("GET", "/v1/agents/{agent_id}", agent, "admin", 200)
    steps.call("GET", "/v1/agents", "/v1/agents", "admin", 200)

    body = evaluation_body(form, occurred_at=OCCURRED)
    keyed = {"Idempotency-Key": "deploy-flow-1"}
    created = steps.call(
        "POST", "/v1/evaluations", "/v1/evaluations", "evaluator", 201, body, keyed
    )
    evaluation = f"/v1/evaluations/{created.body['evaluation_id']}"
    # On another channel, so the first is alone in its channel's report cells.
    other = {**body, "contact": {**body["contact"], "channel": "email"}}
    steps.call("POST", "/v1/evaluations", "/v1/evaluations", "evaluator", 201, other)
    steps.call("GET", "/v1/evaluations", "/v1/evaluations", "evaluator", 200)
    page = "/v1/evaluations?agent_id=agent-7&limit=1"
    cursor = steps.call("GET", "/v1/evaluations", page, "evaluator", 200).body["next_cursor"]
    assert cursor, "two evaluations with limit=1 leave a second page"
    steps.call("GET", "/v1/evaluations", f"{page}&cursor={cursor}", "evaluator", 200)
    steps.call("GET", "/v1/evaluations/{evaluation_id}", evaluation, "evaluator", 200)
    answers = {**all_answers(form), "kiitos": "no"}
    changed = evaluation_body(form, occurred_at=OCCURRED, answers=answers)
    # Another channel: the amendment empties the report cell of the first (DeleteItem).
    changed["contact"]["channel"] = "chat"
    amend = {"If-Match": '"1"'}
    steps.call(
        "PUT", "/v1/evaluations/{evaluation_id}", evaluation, "evaluator", 200, changed, amend
    )
    revisions = f"{evaluation}/revisions"
    steps.call("GET", "/v1/evaluations/{evaluation_id}/revisions", revisions, "evaluator", 200)
    route = "/v1/evaluations/{evaluation_id}/revisions/{revision}"
    steps.call("GET", route, f"{revisions}/2", "evaluator", 200)

    reader = StreamReader()
    _stream(reader, recorder, client, broken=True)
    summary = f"/v1/agents/agent-7/summary?period={PERIOD}"
    steps.call("GET", "/v1/agents/{agent_id}/summary", summary, "evaluator", 200)
    steps.call("GET", "/v1/me", "/v1/me", "evaluator", 200)
    steps.call("GET", "/v1/openapi.json", "/v1/openapi.json", "evaluator", 200)
    _reports(steps)

    export = f"/v1/exports/{PERIOD}"
    steps.call("POST", "/v1/exports/{period}/run", f"{export}/run", "admin", 200)
    steps.call("GET", "/v1/exports", "/v1/exports", "admin", 200)
    steps.links(_export_links(steps.call("GET", "/v1/exports/{period}", export, "payroll", 200)))
    # A late evaluation in the exported period: the heartbeat writes revision 2.
    steps.call("POST", "/v1/evaluations", "/v1/evaluations", "evaluator", 201, body)
    _stream(reader, recorder, client, broken=False)
    assert (PERIOD, "written") in _heartbeat(recorder, client)  # revision 2
    # A change that leaves every figure as it was: the heartbeat only notes it has looked.
    ChangeCountModel(changes_pk("acme"), PERIOD).update(actions=[ChangeCountModel.changes.add(1)])
    assert (PERIOD, "unchanged") in _heartbeat(recorder, client)

    _first_import(steps, recorder, app, form)

    # Last (see the module docstring): these cancel a transaction on purpose.
    steps.call("POST", "/v1/forms/{form_id}/publish", f"{one}/publish", "admin", 200)
    replay = steps.call("POST", "/v1/evaluations", "/v1/evaluations", "evaluator", 201, body, keyed)
    assert replay.headers.get("idempotent-replayed") == "true"
    _second_import(steps, recorder, app, form)


def _reports(steps: Steps) -> None:
    """Teams, a move between them (the team index in the agent's transaction) and
    every report, each read from cells; one as a file."""
    team = {"name": "Tiimi 7", "leaders": ["deploy-leader"]}
    steps.call("PUT", "/v1/teams/{team_id}", "/v1/teams/t7", "admin", 200, team)
    steps.call("GET", "/v1/teams/{team_id}", "/v1/teams/t7", "evaluator", 200)
    steps.call("GET", "/v1/teams", "/v1/teams", "evaluator", 200)
    history = {"payroll_id": "E-7", "memberships": [{"team": "t6", "from": "2026-01-01"}]}
    steps.call("PUT", "/v1/agents/{agent_id}", "/v1/agents/agent-7", "admin", 200, history)
    moved = {"payroll_id": "E-7", "memberships": [{"team": "t7", "from": "2026-01-01"}]}
    steps.call("PUT", "/v1/agents/{agent_id}", "/v1/agents/agent-7", "admin", 200, moved)
    month = f"range=month:{PERIOD}"
    for route, query in (
        ("/v1/reports/compliance", f"scope=tenant&{month}"),
        ("/v1/reports/heatmap", f"scope=team:t7&{month}"),
        ("/v1/reports/trend", "scope=team:t7&period=month&count=2"),
        ("/v1/reports/breakdown", f"scope=tenant&{month}&by=channel"),
        ("/v1/reports/suggestions", f"scope=agent:agent-7&{month}"),
        ("/v1/reports/leaderboard", f"scope=team:t7&{month}"),
    ):
        steps.call("GET", route, f"{route}?{query}", "admin", 200)
    route = "/v1/reports/compliance"
    steps.text("GET", route, f"{route}?scope=agent:agent-7&{month}&format=csv", "admin", 200)


IMPORTS = "/v1/imports"
IMPORT = "/v1/imports/{import_id}"


def _first_import(steps: Steps, recorder: Recorder, app: Any, form: dict[str, Any]) -> None:
    """An auditor's batch: the template and row schema, the upload, its import (one good
    row, one for an agent not on the roster), the report's own event, the results."""
    version = f"/v1/forms/{form['form_id']}/versions/1"
    route = "/v1/forms/{form_id}/versions/{version}"
    template = steps.text("GET", f"{route}/template.csv", f"{version}/template.csv", "auditor", 200)
    assert template.startswith("\ufeffexternal_id;"), template[:40]
    steps.call("GET", f"{route}/row.schema.json", f"{version}/row.schema.json", "auditor", 200)

    started = steps.call("POST", IMPORTS, IMPORTS, "auditor", 201)
    import_id = started.body["import_id"]
    rows = [row(form, "ext-1"), row(form, "ext-2", agent_id="agent-unknown")]
    key = steps.post_file(started, "syyskuu 2026.csv", csv_bytes(form, rows))
    assert _import(recorder, app, key) == f"import {import_id} done: 2 rows"
    # Writing the report beside the upload makes an event of its own, which changes nothing.
    outcome = _import(recorder, app, f"{key}.report.csv")
    assert outcome.endswith(f"import {import_id} is already done"), outcome

    done = steps.call("GET", IMPORT, f"{IMPORTS}/{import_id}", "auditor", 200).body
    assert (done["status"], done["rows"]["created"], done["rows"]["rejected"]) == ("done", 1, 1)
    steps.links([done["report_csv_url"]])
    steps.call("GET", IMPORTS, IMPORTS, "auditor", 200)
    listed = steps.call("GET", IMPORTS, f"{IMPORTS}?limit=1", "admin", 200).body
    assert [i["import_id"] for i in listed["items"]] == [import_id]


def _second_import(steps: Steps, recorder: Recorder, app: Any, form: dict[str, Any]) -> None:
    """The same external_id again, changed (an amendment; its transaction of new rows is
    cancelled first), and a new one."""
    started = steps.call("POST", IMPORTS, IMPORTS, "auditor", 201)
    import_id = started.body["import_id"]
    changed = row(form, "ext-1", contact_id="call-ext-1-corrected")
    data = csv_bytes(form, [changed, row(form, "ext-3")])
    key = steps.post_file(started, "syyskuu 2026 korjattu.csv", data)
    assert _import(recorder, app, key) == f"import {import_id} done: 2 rows"
    done = steps.call("GET", IMPORT, f"{IMPORTS}/{import_id}", "auditor", 200).body
    assert (done["rows"]["amended"], done["rows"]["created"]) == (1, 1), done["rows"]
