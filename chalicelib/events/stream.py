"""The evaluations table's stream: each new revision is folded into the aggregates.

Returns Lambda's partial-batch response: the first record that failed for a
passing reason (throttling, contention) is reported so Lambda retries from it;
everything after it is retried too and is harmless, being idempotent. A record
that can never be applied (malformed) is quarantined for inspection and
skipped, so it cannot block the shard.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from chalicelib import jsoncodec
from chalicelib.adapters.aggregate_store import AggregateStore
from chalicelib.adapters.settings_store import SettingsStore
from chalicelib.domain.aggregates import Contribution
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.evaluations import contribution
from chalicelib.domain.pay_periods import Calendar
from chalicelib.services.aggregation import apply_revision

log = logging.getLogger("laatu.stream")

REVISION_PREFIX = "REV#"
UNKNOWN_TENANT = "_unknown"


class MalformedRecord(Exception):
    pass


def parse_record(
    record: dict[str, Any], calendar_of: Callable[[str], Calendar]
) -> tuple[str, Evaluation, Contribution] | None:
    """(tenant, evaluation, contribution) of a revision insert; None for other changes.
    Raises MalformedRecord for anything that can never be applied."""
    found = revision_evaluation(record)
    if found is None:
        return None
    tenant, evaluation = found
    calendar = calendar_of(tenant)  # a read; its failure is passing, not malformed
    try:
        return tenant, evaluation, contribution(evaluation, calendar)
    except (InvalidInput, KeyError, TypeError, ValueError) as exc:
        raise MalformedRecord(f"cannot read the evaluation: {exc!r}") from None


def revision_evaluation(record: dict[str, Any]) -> tuple[str, Evaluation] | None:
    """(tenant, evaluation) for the insert of a revision; None for any other change."""
    if record.get("eventName") != "INSERT":
        return None
    image = record.get("dynamodb", {}).get("NewImage") or {}
    sk = image.get("sk", {}).get("S", "")
    if not sk.startswith(REVISION_PREFIX):
        return None
    try:
        tenant = image["tenant"]["S"]
        document = jsoncodec.loads(image["document"]["S"])
        if not isinstance(document, dict):
            raise MalformedRecord("the document is not an object")
        evaluation = Evaluation.from_dict(document)
        if evaluation.revision != int(image["revision"]["N"]):
            raise MalformedRecord("document and item disagree on the revision")
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedRecord(f"not a revision item: {exc!r}") from None
    return tenant, evaluation


def _tenant_of(record: dict[str, Any]) -> str:
    image = record.get("dynamodb", {}).get("NewImage") or {}
    tenant = image.get("tenant", {}).get("S")
    return tenant if isinstance(tenant, str) and tenant else UNKNOWN_TENANT


def handle(
    event: dict[str, Any],
    store: AggregateStore,
    settings: SettingsStore,
    now: Callable[[], str],
) -> dict[str, Any]:
    calendars: dict[str, Calendar] = {}

    def calendar_of(tenant: str) -> Calendar:
        # Read once per batch: a batch spans seconds, and a settings change only
        # ever applies from a pay period that has not been exported.
        if tenant not in calendars:
            calendars[tenant] = Calendar(settings.revisions(tenant))
        return calendars[tenant]

    for record in event.get("Records", []):
        sequence = record.get("dynamodb", {}).get("SequenceNumber", "")
        event_id = str(record.get("eventID", sequence))
        try:
            try:
                parsed = parse_record(record, calendar_of)
            except MalformedRecord as exc:
                log.error("quarantined stream record %s: %s", event_id, exc)
                store.quarantine(
                    _tenant_of(record), event_id, str(exc), json.dumps(record, default=str), now()
                )
                continue
            if parsed is None:
                continue
            tenant, evaluation, new = parsed
            outcome = apply_revision(
                store, tenant, evaluation.evaluation_id, evaluation.revision, new, now()
            )
            log.info(
                "evaluation %s revision %s: %s",
                evaluation.evaluation_id,
                evaluation.revision,
                outcome.value,
            )
        except Exception:
            log.exception("stream record %s failed; Lambda will retry from it", event_id)
            return {"batchItemFailures": [{"itemIdentifier": sequence}]}
    return {"batchItemFailures": []}
