"""PynamoDB models. Two tables:

- the main table (`LAATU_TABLE`): forms, form versions, period aggregates, the
  aggregation ledger, idempotency keys and quarantined stream records;
- the evaluations table (`LAATU_EVALUATIONS_TABLE`), whose stream
  (NEW_AND_OLD_IMAGES) drives scoring and aggregation. Keeping it apart means
  the stream carries only evaluation writes, never the handler's own writes.

Every key starts with the tenant, so no query can cross tenants.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.constants import NUMBER
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

MAIN_TABLE_ENV = "LAATU_TABLE"
EVALUATIONS_TABLE_ENV = "LAATU_EVALUATIONS_TABLE"


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-north-1"


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number read back as an exact Decimal (NumberAttribute gives floats)."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        return format(value, "f")

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class _MainTable(Model):
    class Meta:
        table_name = os.environ.get(MAIN_TABLE_ENV, "laatu-local")
        region = _region()
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class FormDraftModel(_MainTable):
    """pk `{tenant}#FORMS`, sk `{form_id}`: the editable draft and the form's head."""

    name = UnicodeAttribute()
    definition = UnicodeAttribute()  # canonical JSON of the draft
    latest_version = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    version = VersionAttribute()


class FormVersionModel(_MainTable):
    """pk `{tenant}#FORM#{form_id}`, sk `V#{version:06d}`: an immutable published version."""

    form_version = NumberAttribute()
    definition = UnicodeAttribute()
    published_at = UnicodeAttribute()
    published_by = UnicodeAttribute()


class AggregateModel(_MainTable):
    """pk `{tenant}#PERIOD#{bucket}`, sk `AGENT#{agent_id}`; a bucket is a month or a day.

    One partition per bucket, so an export reads a period with strongly
    consistent Queries and a summary is one GetItem.
    """

    agent_id = UnicodeAttribute()
    period = UnicodeAttribute()
    evaluations = NumberAttribute(default=0)
    scored = NumberAttribute(default=0)
    score_sum = DecimalAttribute(default=Decimal)
    criteria: MapAttribute[str, Any] = MapAttribute(default=dict)
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class ReportCellModel(_MainTable):
    """pk `{tenant}#CELL#{bucket}`, sk `{dimension}#{agent_id}#{value}`: one report cell.

    One partition per bucket, so a tenant's month is one Query (`all#` prefix)
    and one agent's breakdown one more (`channel#aino#`). `counts` is JSON
    (`{"form/version/criterion": [yes, no, na]}`): a third of the size of the
    same map as DynamoDB attributes, and one parse instead of fifty.
    """

    agent_id = UnicodeAttribute()
    bucket = UnicodeAttribute()
    dimension = UnicodeAttribute()
    value = UnicodeAttribute()
    evaluations = NumberAttribute(default=0)
    scored = NumberAttribute(default=0)
    score_sum = DecimalAttribute(default=Decimal)
    score_squares = DecimalAttribute(default=Decimal)
    full_points = NumberAttribute(default=0)
    counts = UnicodeAttribute(default="{}")
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class BackfillModel(_MainTable):
    """pk `{tenant}#BACKFILL`, sk `{job}`: how far a one-off fill of new aggregates got.

    `cursor` is the evaluation listing's cursor after the last page done; a crash
    before it is saved repeats that page, which the fill makes harmless."""

    cursor = UnicodeAttribute(null=True)
    done = BooleanAttribute(default=False)
    seen = NumberAttribute(default=0)
    filled = NumberAttribute(default=0)
    updated_at = UnicodeAttribute()


class ChangeCountModel(_MainTable):
    """pk `{tenant}#CHANGES`, sk `{pay period}`: bumped in the same transaction as
    every aggregate change, so an export knows whether a period moved since."""

    changes = NumberAttribute(default=0)


class TenantModel(_MainTable):
    """pk `TENANTS`, sk `{tenant}`: the tenants the export heartbeat looks after."""

    created_at = UnicodeAttribute()


class SettingsModel(_MainTable):
    """pk `{tenant}#SETTINGS`, sk `REV#{n:06d}`: a settings revision."""

    revision = NumberAttribute()
    effective_from = UnicodeAttribute()  # UTC instant
    settings = UnicodeAttribute()  # JSON
    saved_at = UnicodeAttribute()
    saved_by = UnicodeAttribute()


class MembershipAttribute(MapAttribute[str, Any]):
    """`{"team": team_id, "from": "YYYY-MM-DD"}`: in `team` from that local day on."""

    team = UnicodeAttribute()
    start = UnicodeAttribute(attr_name="from")


class AgentModel(_MainTable):
    """pk `{tenant}#AGENTS`, sk `{agent_id}`.

    `team` is the team in force when the record was written; `memberships` the
    history by day (absent on records written before histories: read as in `team`
    from 1970-01-01, or in none).
    """

    name = UnicodeAttribute(default="")
    team = UnicodeAttribute(default="")
    payroll_id = UnicodeAttribute(default="")
    active = BooleanAttribute(default=True)
    memberships = ListAttribute(of=MembershipAttribute, null=True)
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    # Counts writes, so a write conditioned on it knows nobody wrote in between
    # (the team index moves with it); absent on records written before.
    revision = NumberAttribute(null=True)


class TeamMemberModel(_MainTable):
    """pk `{tenant}#MEMBERS#{team_id}`, sk `{agent_id}`: an agent whose history names
    the team, with that history, so a team's report reads its members, not the roster.

    Written in the same transaction as the agent record. The item with sk
    `#complete` says every agent of the team is indexed: written once the
    one-off indexing of agents saved before the index is done (until then a
    report reads the whole roster instead).
    """

    name = UnicodeAttribute(default="")
    memberships = ListAttribute(of=MembershipAttribute, default=list)
    updated_at = UnicodeAttribute()


class TeamModel(_MainTable):
    """pk `{tenant}#TEAMS`, sk `{team_id}`: a team and the user ids of its leaders."""

    name = UnicodeAttribute(default="")
    leaders = ListAttribute(of=UnicodeAttribute, default=list)
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()


class ExportModel(_MainTable):
    """pk `{tenant}#EXPORTS`; sk `{period}` (the period's head) or `{period}#R{n:04d}`
    (one revision, immutable once done)."""

    period = UnicodeAttribute()
    revision = NumberAttribute()
    status = UnicodeAttribute()  # writing | done
    generated_at = UnicodeAttribute()
    changes_seen = NumberAttribute(default=0)
    detail = UnicodeAttribute(default="{}")  # JSON: files, rows, rules used
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class LedgerModel(_MainTable):
    """pk `{tenant}#EVAL#{evaluation_id}`, sk `APPLIED`: what the aggregates hold of it."""

    revision = NumberAttribute()
    contribution = UnicodeAttribute()  # JSON of domain.aggregates.Contribution
    applied_at = UnicodeAttribute()
    version = VersionAttribute()


class IdempotencyModel(_MainTable):
    """pk `{tenant}#IDEM#{user}#{key}`, sk `IDEM`: the first result of a keyed request."""

    request_hash = UnicodeAttribute()
    evaluation_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires = TTLAttribute()


class QuarantineModel(_MainTable):
    """pk `{tenant}#QUARANTINE`, sk `{at}#{event_id}`: a stream record that cannot be applied."""

    event_id = UnicodeAttribute()
    error = UnicodeAttribute()
    record = UnicodeAttribute()  # the raw stream record, JSON
    at = UnicodeAttribute()


class AgentTimeIndex(GlobalSecondaryIndex["EvaluationModel"]):
    class Meta:
        index_name = "by_agent"
        projection = AllProjection()

    agent_pk = UnicodeAttribute(hash_key=True)  # `{tenant}#{agent_id}`
    occurred_sk = UnicodeAttribute(range_key=True)  # `{occurred_at UTC}#{evaluation_id}`


class TenantTimeIndex(GlobalSecondaryIndex["EvaluationModel"]):
    class Meta:
        index_name = "by_tenant"
        projection = AllProjection()

    tenant_pk = UnicodeAttribute(hash_key=True)  # `{tenant}`
    occurred_sk = UnicodeAttribute(range_key=True)


class UnacknowledgedIndex(GlobalSecondaryIndex["EvaluationModel"]):
    """Sparse: only HEAD items whose current revision the agent has yet to acknowledge."""

    class Meta:
        index_name = "unacknowledged"
        projection = AllProjection()

    ack_pk = UnicodeAttribute(hash_key=True)  # `{tenant}#{agent_id}`
    ack_sk = UnicodeAttribute(range_key=True)  # `{revised_at}#{evaluation_id}`


class EvaluationModel(Model):
    """pk `{tenant}#{evaluation_id}`; sk `HEAD` (current, indexed) or `REV#{n:06d}` (history).

    The body lives in `document` (JSON) so a revision is one immutable value;
    the top-level attributes are what keys, indexes and the stream need.
    """

    class Meta:
        table_name = os.environ.get(EVALUATIONS_TABLE_ENV, "laatu-local-evaluations")
        region = _region()
        billing_mode = "PAY_PER_REQUEST"
        stream_view_type = "NEW_AND_OLD_IMAGES"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    tenant = UnicodeAttribute()
    evaluation_id = UnicodeAttribute()
    revision = NumberAttribute()
    document = UnicodeAttribute()
    # Only on HEAD items, so the indexes list each evaluation once.
    agent_pk = UnicodeAttribute(null=True)
    tenant_pk = UnicodeAttribute(null=True)
    occurred_sk = UnicodeAttribute(null=True)
    by_agent = AgentTimeIndex()
    by_tenant = TenantTimeIndex()
    # On HEAD while its revision waits for the agent's acknowledgement; an amendment
    # writes HEAD anew, so a corrected evaluation is asked for again.
    ack_pk = UnicodeAttribute(null=True)
    ack_sk = UnicodeAttribute(null=True)
    unacknowledged = UnacknowledgedIndex()
    # On HEAD (its current revision) and on the REV item acknowledged: who and when.
    acknowledged_by = UnicodeAttribute(null=True)
    acknowledged_at = UnicodeAttribute(null=True)


_connection: Connection | None = None


def connection() -> Connection:
    """One low-level connection for transactions across both tables."""
    global _connection
    if _connection is None:
        _connection = Connection(region=_region())
    return _connection
