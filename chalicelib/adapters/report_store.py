"""Reading report cells: whole buckets with a Query, a few agents with BatchGetItem.

Every DynamoDB request is counted, so a report can say what it cost and the
bench can hold reports to a number of requests, not only to a time.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.aggregate_store import cell_of, cell_pk, cell_sk
from chalicelib.adapters.models import ReportCellModel, connection
from chalicelib.domain.report_cells import Cell

# BatchGetItem takes at most 100 keys a request.
BATCH_GET_LIMIT = 100

CellsByAgent = dict[tuple[str, str], Cell]  # (agent_id, value) -> cell


@dataclass
class ReportCellStore:
    requests: int = 0

    def cells(
        self,
        tenant: str,
        bucket: str,
        dimension: str,
        agents: Collection[str] | None,
    ) -> CellsByAgent:
        """The cells of one bucket and dimension, for `agents` (None: every agent)."""
        if agents is not None and not agents:
            return {}
        if agents is not None and len(agents) == 1:
            (agent_id,) = agents
            return self._query(tenant, bucket, cell_sk(dimension, agent_id), None)
        if agents is not None and dimension == "all" and len(agents) <= BATCH_GET_LIMIT:
            return self._batch_get(tenant, bucket, dimension, agents)
        return self._query(tenant, bucket, f"{dimension}#", agents)

    def _query(
        self, tenant: str, bucket: str, prefix: str, agents: Collection[str] | None
    ) -> CellsByAgent:
        out: CellsByAgent = {}
        start: dict[str, Any] | None = None
        table = ReportCellModel.Meta.table_name
        while True:
            self.requests += 1
            request: dict[str, Any] = {
                "TableName": table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": {
                    ":pk": {"S": cell_pk(tenant, bucket)},
                    ":prefix": {"S": prefix},
                },
            }
            if start:
                request["ExclusiveStartKey"] = start
            # The raw operation: the Model API would first describe the table, a request
            # more per cold start, and hides how many pages a Query took.
            page = connection().dispatch("Query", request)
            for raw in page.get("Items", []):
                item = ReportCellModel.from_raw_data(raw)
                if (agents is None or item.agent_id in agents) and item.evaluations:
                    out[(item.agent_id, item.value)] = cell_of(item)
            start = page.get("LastEvaluatedKey")
            if not start:
                return out

    def _batch_get(
        self, tenant: str, bucket: str, dimension: str, agents: Collection[str]
    ) -> CellsByAgent:
        table = ReportCellModel.Meta.table_name
        pending: list[dict[str, Any]] = [
            {"pk": {"S": cell_pk(tenant, bucket)}, "sk": {"S": cell_sk(dimension, agent_id, "-")}}
            for agent_id in sorted(agents)
        ]
        out: CellsByAgent = {}
        while pending:
            self.requests += 1
            answer = connection().dispatch(
                "BatchGetItem", {"RequestItems": {table: {"Keys": pending}}}
            )
            for raw in answer.get("Responses", {}).get(table, []):
                item = ReportCellModel.from_raw_data(raw)
                if item.evaluations:  # an emptied cell is deleted; one left is no row
                    out[(item.agent_id, item.value)] = cell_of(item)
            # DynamoDB may leave keys for later under load; ask again for exactly those.
            pending = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
        return out
