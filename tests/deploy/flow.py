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
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
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
NOTIFIER = "app.notification_sender"
IMPORTER = "app.upload_importer"
SERVICES = ("dynamodb", "dynamodbstreams", "s3", "sesv2")
MAIL_FROM = "laatu@deploy.invalid"
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
        **token: Any,
    ) -> Answer:
        self.recorder.recorded.routes.add((method, route))
        with self.recorder.as_handler(API):
            answer = self.api.call(method, path, role, body=body, headers=headers, **token)
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


def _notifier(recorder: Recorder, client: Client) -> int:
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    with recorder.as_handler(NOTIFIER):
        result = client.lambda_.invoke("notification_sender", event).payload
    return sum(int(r["sent"]) for r in result["results"])


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
        boto3.client("sesv2").create_email_identity(EmailIdentity=MAIL_FROM)
        os.environ["LAATU_MAIL_FROM"] = MAIL_FROM
        os.environ["LAATU_SITE_URL"] = "https://laatu.deploy.invalid"
        try:
            module = load_app()
        finally:
            del os.environ["LAATU_MAIL_FROM"], os.environ["LAATU_SITE_URL"]
        app = module.app
        with Client(app) as client:
            _drive(Steps(Api(client), recorder), recorder, client, module)
    return recorded


def _drive(steps: Steps, recorder: Recorder, client: Client, module: Any) -> None:
    app = module.app
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
    # Disputed evaluations held back: the export reads their ledger entries.
    coaching = {"disputes_at_export": "held", "email_notifications": True}
    rules = {"incentives": {"min_scored": 1, "tiers": [tier]}, "coaching": coaching}
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
    _coaching(steps, recorder, client, reader, module, form)

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


AGENT: dict[str, Any] = {"user": "agent-7-user", "agent_id": "agent-7"}
MANAGER: dict[str, Any] = {"user": "maija"}
REVIEWER: dict[str, Any] = {"user": "quinn"}


def _coaching(
    steps: Steps,
    recorder: Recorder,
    client: Client,
    reader: StreamReader,
    module: Any,
    form: dict[str, Any],
) -> None:
    """Reviews (one opened by its second side, one by the heartbeat after its
    deadline), acknowledgement, a session, disputes (upheld, withdrawn, one left
    undecided for the export to hold back), the inbox and mail."""
    contact = {"channel": "phone", "id": "call-coach", "occurred_at": OCCURRED}
    start = {
        "agent_id": "agent-7",
        "form_id": form["form_id"],
        "form_version": 1,
        "contact": contact,
        "leader": "maija",
    }
    reviews = "/v1/reviews"
    review = steps.call("POST", reviews, reviews, "admin", 201, start, **MANAGER).body
    one = f"{reviews}/{review['review_id']}"
    side = {"answers": all_answers(form)}
    steps.call("PUT", "/v1/reviews/{review_id}/self", f"{one}/self", "agent", 200, side, **AGENT)
    leader = {**side, "method": "recording", "answers": {**side["answers"], "kiitos": "no"}}
    route = "/v1/reviews/{review_id}/leader"
    opened = steps.call("PUT", route, f"{one}/leader", "admin", 200, leader, **MANAGER).body
    assert opened["state"] == "open", opened
    steps.call("GET", reviews, reviews, "admin", 200, **MANAGER)
    steps.call("GET", "/v1/reviews/{review_id}", one, "agent", 200, **AGENT)
    late = steps.call("POST", reviews, reviews, "admin", 201, start, **MANAGER).body
    steps.call(
        "PUT", route, f"{reviews}/{late['review_id']}/leader", "admin", 200, leader, **MANAGER
    )
    real_clock = module.root.clock
    module.root.clock = lambda: real_clock() + timedelta(days=8)
    try:
        _heartbeat(recorder, client)  # opens the late review without the self side
    finally:
        module.root.clock = real_clock
    reopened = steps.call(
        "GET", "/v1/reviews/{review_id}", f"{reviews}/{late['review_id']}", "admin", 200, **MANAGER
    ).body
    assert reopened["state"] == "open", reopened
    _stream(reader, recorder, client, broken=False)

    evaluation_id = opened["leader_side"]["evaluation_id"]
    evaluation = f"/v1/evaluations/{evaluation_id}"
    route = "/v1/evaluations/{evaluation_id}/acknowledgement"
    steps.call(
        "POST", route, f"{evaluation}/acknowledgement", "agent", 200, {"revision": 1}, **AGENT
    )
    route = "/v1/evaluations/{evaluation_id}/acknowledgements"
    steps.call("GET", route, f"{evaluation}/acknowledgements", "agent", 200, **AGENT)
    waiting = "/v1/acknowledgements?agent_id=agent-7"
    steps.call("GET", "/v1/acknowledgements", waiting, "admin", 200, **MANAGER)

    criteria = [{"form_id": form["form_id"], "criterion_id": "kiitos"}]
    session_body = {
        "agent_id": "agent-7",
        "held_on": "2026-10-20",
        "evaluation_ids": [evaluation_id],
        "notes": "Kiitos unohtui.",
        "actions": [{"text": "Kiitä", "owner": "agent", "due": "2026-11-30", "criteria": criteria}],
        "follow_up": "2026-11-20",
    }
    sessions = "/v1/coaching-sessions"
    made = steps.call("POST", sessions, sessions, "admin", 201, session_body, **MANAGER)
    session = f"{sessions}/{made.body['session_id']}"
    steps.call("GET", sessions, f"{sessions}?agent_id=agent-7", "admin", 200, **MANAGER)
    got = steps.call("GET", "/v1/coaching-sessions/{session_id}", session, "agent", 200, **AGENT)
    changed = {**session_body, "notes": "Kiitos unohtui kahdesti."}
    changed["actions"] = [
        {k: a[k] for k in ("action_id", "text", "owner", "due", "criteria")}
        for a in got.body["actions"]
    ]
    etag = {"If-Match": got.headers["etag"]}
    route = "/v1/coaching-sessions/{session_id}"
    steps.call("PUT", route, session, "admin", 200, changed, etag, **MANAGER)
    wish = {"development_wish": "Haluan oppia lopettamaan puhelun hyvin."}
    steps.call("PUT", f"{route}/wish", f"{session}/wish", "agent", 200, wish, **AGENT)
    route = "/v1/coaching-sessions/{session_id}/acknowledgement"
    steps.call("POST", route, f"{session}/acknowledgement", "agent", 200, **AGENT)
    action = got.body["actions"][0]["action_id"]
    route = "/v1/coaching-sessions/{session_id}/actions/{action_id}/done"
    steps.call("POST", route, f"{session}/actions/{action}/done", "agent", 200, **AGENT)

    disputes = f"{evaluation}/disputes"
    reason = {"reason": "Kiitin puhelun lopussa.", "criteria": ["kiitos"]}
    route = "/v1/evaluations/{evaluation_id}/disputes"
    dispute = steps.call("POST", route, disputes, "agent", 201, reason, **AGENT).body
    steps.call("GET", route, disputes, "agent", 200, **AGENT)
    steps.call("GET", "/v1/disputes", "/v1/disputes?state=undecided", "admin", 200, **REVIEWER)
    one = f"/v1/disputes/{dispute['dispute_id']}"
    steps.call("GET", "/v1/disputes/{dispute_id}", one, "agent", 200, **AGENT)
    steps.call("GET", "/v1/inbox", "/v1/inbox", "admin", 200, **REVIEWER)
    steps.call(
        "POST", "/v1/disputes/{dispute_id}/review", f"{one}/review", "admin", 200, **REVIEWER
    )
    current = steps.call("GET", "/v1/evaluations/{evaluation_id}", evaluation, "admin", 200).body
    corrected = {
        key: current[key] for key in ("form_id", "form_version", "agent_id", "method", "answers")
    }
    corrected["contact"] = current["contact"]
    corrected["answers"] = {**current["answers"], "kiitos": "yes"}
    decision = {
        "outcome": "upheld",
        "reason": "Kiitos kuuluu tallenteella.",
        "evaluation": corrected,
        "evaluation_revision": current["revision"],
    }
    route = "/v1/disputes/{dispute_id}/decision"
    steps.call("POST", route, f"{one}/decision", "admin", 200, decision, **REVIEWER)
    # One withdrawn, and one left undecided for the export to hold back.
    for withdraw in (True, False):
        other = f"/v1/disputes/{_dispute_on_first(steps, reason)}"
        if withdraw:
            route = "/v1/disputes/{dispute_id}/withdrawal"
            steps.call("POST", route, f"{other}/withdrawal", "agent", 200, **AGENT)
    _stream(reader, recorder, client, broken=False)

    preferences = {"email": "agent-7@deploy.invalid", "language": "fi", "enabled": True}
    me = "/v1/me/notifications"
    steps.call("PUT", me, me, "agent", 200, preferences, **AGENT)
    steps.call("GET", me, me, "agent", 200, **AGENT)
    steps.call("GET", "/v1/inbox", "/v1/inbox", "agent", 200, **AGENT)
    # A review started now asks the agent for a self-evaluation: that entry is mailed.
    steps.call("POST", reviews, reviews, "admin", 201, start, **MANAGER)
    assert _notifier(recorder, client) == 1


def _dispute_on_first(steps: Steps, reason: dict[str, Any]) -> str:
    """A dispute on the agent's first evaluation of the flow (its latest revision)."""
    listed = steps.call("GET", "/v1/evaluations", "/v1/evaluations?agent_id=agent-7", "admin", 200)
    candidates = [e for e in listed.body["items"] if e["method"] != "self" and "review_id" not in e]
    target = candidates[0]["evaluation_id"]
    path = f"/v1/evaluations/{target}/disputes"
    route = "/v1/evaluations/{evaluation_id}/disputes"
    opened = steps.call("POST", route, path, "agent", 201, reason, **AGENT).body
    return str(opened["dispute_id"])


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
