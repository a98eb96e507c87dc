"""Counts every DynamoDB and DynamoDB Streams API call and works out what it consumed.

PynamoDB makes its own botocore session and client per connection (see
pynamodb/connection/base.py: `Connection.session`, `Connection.client`) and
calls `client._make_api_call` directly; boto3 clients go through the same
method. Wrapping `botocore.client.BaseClient._make_api_call` therefore sees
every request whichever session made it, with its parameters and response.

Calls made outside a `measure()` block (table creation, publishing the form,
reading the stream as Lambda's poller would) are tallied as set-up only.

Capacity: PynamoDB already asks for ReturnConsumedCapacity=TOTAL on every data
call, but moto answers with fixed placeholders (0.5 or 1 per call, nothing for
TransactWriteItems), so the units are computed from item sizes (capacity.py)
and moto's figure is kept beside them for reference. To size an item before
and after a write, the recorder reads it with an uncounted, strongly
consistent GetItem on the same client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.bench import capacity
from tests.bench.capacity import Item

COUNTED_SERVICES = ("dynamodb", "dynamodbstreams")
METHOD = (
    "computed from item sizes by DynamoDB's documented rules (moto's ConsumedCapacity is a "
    "fixed placeholder, shown as 'moto says' for reference only)"
)
ASSUMPTIONS = (
    "GetItem/Query: 1 RCU per 4 KB strongly consistent, 0.5 eventually consistent; "
    "TransactGetItems: 2 RCU per 4 KB per item, an absent item at the minimum",
    "PutItem/UpdateItem/DeleteItem: 1 WCU per 1 KB of the larger of old and new item; "
    "TransactWriteItems: 2x that per item",
    "GSI propagation: standard writes (1 WCU per 1 KB of the index entry, 2 when an "
    "index key changes), not doubled for transactions; listed apart as 'GSI WCU'",
    "a cancelled transaction is charged as if every action had been prepared",
)

ApiCall = Callable[[Any, str, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class IndexSchema:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    included: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    keys: tuple[str, ...]
    indexes: tuple[IndexSchema, ...]

    def key_of(self, item: Item) -> dict[str, Any]:
        return {name: item[name] for name in self.keys}

    def index_entry(self, index: IndexSchema, item: Item | None) -> dict[str, Any] | None:
        """What the index holds of the item; None when the item is not in the (sparse) index."""
        if item is None or any(name not in item for name in index.keys):
            return None
        if index.projection == "ALL":
            return dict(item)
        wanted = {*self.keys, *index.keys, *index.included}
        return {name: value for name, value in item.items() if name in wanted}


@dataclass(frozen=True)
class ItemCost:
    action: str  # Get, Put, Update, Delete, ConditionCheck, Query, GSI
    table: str
    size_bytes: int
    read_units: float = 0.0
    write_units: float = 0.0
    gsi_write_units: float = 0.0


@dataclass
class Call:
    service: str
    operation: str
    items: list[ItemCost] = field(default_factory=list)
    moto_units: float | None = None
    error: str | None = None

    @property
    def read_units(self) -> float:
        return sum(i.read_units for i in self.items)

    @property
    def write_units(self) -> float:
        return sum(i.write_units for i in self.items)

    @property
    def gsi_write_units(self) -> float:
        return sum(i.gsi_write_units for i in self.items)


@dataclass
class Scope:
    label: str
    calls: list[Call] = field(default_factory=list)

    def operations(self) -> Counter[str]:
        return Counter(call.operation for call in self.calls)

    @property
    def read_units(self) -> float:
        return sum(c.read_units for c in self.calls)

    @property
    def write_units(self) -> float:
        return sum(c.write_units for c in self.calls)

    @property
    def gsi_write_units(self) -> float:
        return sum(c.gsi_write_units for c in self.calls)

    @property
    def moto_units(self) -> float:
        return sum(c.moto_units or 0.0 for c in self.calls)


def _moto_units(response: Mapping[str, Any]) -> float | None:
    consumed = response.get("ConsumedCapacity")
    if consumed is None:
        return None
    entries = consumed if isinstance(consumed, list) else [consumed]
    return float(sum(entry.get("CapacityUnits", 0) for entry in entries))


class Recorder:
    def __init__(self) -> None:
        self.scope: Scope | None = None
        self.setup: Counter[str] = Counter()
        self._schemas: dict[str, TableSchema] = {}
        self._original: ApiCall | None = None

    # -- installing and scoping --------------------------------------------------------

    @contextmanager
    def installed(self) -> Iterator[Recorder]:
        client_class: Any = BaseClient  # botocore's stubs leave out the private method
        original: ApiCall = client_class._make_api_call
        self._original = original
        recorder = self

        def counted(client: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
            return recorder._call(client, operation, params)

        client_class._make_api_call = counted
        try:
            yield self
        finally:
            client_class._make_api_call = original
            self._original = None

    @contextmanager
    def measure(self, label: str) -> Iterator[Scope]:
        assert self.scope is None, "measurements do not nest"
        scope = Scope(label)
        self.scope = scope
        try:
            yield scope
        finally:
            self.scope = None

    # -- the wrapper -------------------------------------------------------------------

    def _raw(self, client: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        assert self._original is not None
        return self._original(client, operation, params)

    def _call(self, client: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        service = client.meta.service_model.service_name
        if service not in COUNTED_SERVICES:
            return self._raw(client, operation, params)
        scope = self.scope
        if scope is None:
            self.setup[f"{service}:{operation}"] += 1
            return self._raw(client, operation, params)
        call = Call(service, operation)
        scope.calls.append(call)
        if service != "dynamodb":
            return self._raw(client, operation, params)
        before = self._images_before(client, operation, params)
        try:
            response = self._raw(client, operation, params)
        except ClientError as exc:
            call.error = str(exc.response.get("Error", {}).get("Code", "ClientError"))
            call.items = self._costs(client, operation, params, {}, before, failed=True)
            raise
        call.moto_units = _moto_units(response)
        call.items = self._costs(client, operation, params, response, before, failed=False)
        return response

    # -- looking at the table without being counted ------------------------------------

    def _schema(self, client: Any, table: str) -> TableSchema:
        if table not in self._schemas:
            described = self._raw(client, "DescribeTable", {"TableName": table})["Table"]
            indexes = tuple(
                IndexSchema(
                    name=index["IndexName"],
                    keys=tuple(k["AttributeName"] for k in index["KeySchema"]),
                    projection=index["Projection"]["ProjectionType"],
                    included=tuple(index["Projection"].get("NonKeyAttributes", ())),
                )
                for index in described.get("GlobalSecondaryIndexes", ())
            )
            keys = tuple(k["AttributeName"] for k in described["KeySchema"])
            self._schemas[table] = TableSchema(keys, indexes)
        return self._schemas[table]

    def _peek(self, client: Any, table: str, key: Mapping[str, Any]) -> Item | None:
        response = self._raw(
            client, "GetItem", {"TableName": table, "Key": dict(key), "ConsistentRead": True}
        )
        item: Item | None = response.get("Item")
        return item

    def _write_actions(
        self, client: Any, operation: str, params: Mapping[str, Any]
    ) -> list[tuple[str, str, dict[str, Any], Item | None]]:
        """(action, table, key, item sent with a Put) of every item a write touches."""
        single = {"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete"}
        raw: list[tuple[str, Mapping[str, Any]]] = []
        if operation in single:
            raw.append((single[operation], params))
        elif operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                ((action, body),) = entry.items()
                raw.append((action, body))
        elif operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        raw.append(("Put", {"TableName": table, **request["PutRequest"]}))
                    else:
                        raw.append(("Delete", {"TableName": table, **request["DeleteRequest"]}))
        actions = []
        for action, body in raw:
            table = body["TableName"]
            sent: Item | None = body.get("Item")
            key = self._schema(client, table).key_of(sent) if sent is not None else body["Key"]
            actions.append((action, table, dict(key), sent))
        return actions

    def _images_before(
        self, client: Any, operation: str, params: Mapping[str, Any]
    ) -> list[Item | None]:
        return [
            self._peek(client, table, key)
            for _, table, key, _ in self._write_actions(client, operation, params)
        ]

    # -- costs -------------------------------------------------------------------------

    def _costs(
        self,
        client: Any,
        operation: str,
        params: Mapping[str, Any],
        response: Mapping[str, Any],
        before: list[Item | None],
        *,
        failed: bool,
    ) -> list[ItemCost]:
        if operation == "GetItem":
            size = capacity.item_size(response.get("Item"))
            consistent = bool(params.get("ConsistentRead"))
            units = capacity.read_units(size, consistent=consistent)
            return [ItemCost("Get", params["TableName"], size, read_units=units)]
        if operation == "TransactGetItems":
            responses = response.get("Responses") or [{} for _ in params["TransactItems"]]
            costs = []
            for entry, got in zip(params["TransactItems"], responses, strict=True):
                size = capacity.item_size(got.get("Item"))
                units = capacity.read_units(size, consistent=True, transactional=True)
                costs.append(ItemCost("Get", entry["Get"]["TableName"], size, read_units=units))
            return costs
        if operation in ("Query", "Scan"):
            # Sized on the items returned: with no projection that is what was read.
            size = sum(capacity.item_size(item) for item in response.get("Items", ()))
            consistent = bool(params.get("ConsistentRead"))
            units = capacity.read_units(size, consistent=consistent)
            return [ItemCost(operation, params["TableName"], size, read_units=units)]
        actions = self._write_actions(client, operation, params)
        if not actions:
            return []  # DescribeTable and the like
        transactional = operation == "TransactWriteItems"
        costs = []
        for (action, table, key, sent), old in zip(actions, before, strict=True):
            if action == "Put":
                new: Item | None = sent
            elif action in ("Delete", "ConditionCheck"):
                new = None
            else:
                new = old if failed else self._peek(client, table, key)
            old_size, new_size = capacity.item_size(old), capacity.item_size(new)
            units = capacity.write_units(old_size, new_size, transactional=transactional)
            costs.append(ItemCost(action, table, max(old_size, new_size), write_units=units))
            if not failed and action != "ConditionCheck":
                costs.extend(self._index_costs(client, table, old, new))
        return costs

    def _index_costs(
        self, client: Any, table: str, old: Item | None, new: Item | None
    ) -> list[ItemCost]:
        schema = self._schema(client, table)
        costs = []
        for index in schema.indexes:
            was, now = schema.index_entry(index, old), schema.index_entry(index, new)
            if was == now:
                continue
            sizes: list[tuple[int, int]]
            if was is None or now is None:
                sizes = [(capacity.item_size(was), capacity.item_size(now))]
            elif any(was[k] != now[k] for k in index.keys):
                sizes = [(capacity.item_size(was), 0), (0, capacity.item_size(now))]
            else:
                sizes = [(capacity.item_size(was), capacity.item_size(now))]
            for a, b in sizes:
                units = capacity.write_units(a, b, transactional=False)
                costs.append(
                    ItemCost("GSI", f"{table}/{index.name}", max(a, b), gsi_write_units=units)
                )
        return costs
