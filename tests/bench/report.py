"""The bench's printed report and its JSON twin (build/bench.json)."""

from __future__ import annotations

import platform
from collections import Counter
from collections.abc import Iterable
from importlib.metadata import version
from typing import Any

from tests.bench.flow import Flow, Step
from tests.bench.recorder import ASSUMPTIONS, METHOD, Call, ItemCost, Recorder
from tests.bench.throughput import Throughput

OPERATION_ORDER = (
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "TransactGetItems",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
)
SCAN_GOAL = "goal: no Scan anywhere"


def _units(value: float) -> str:
    return f"{value:g}"


def _operations(flows: Iterable[Flow]) -> list[str]:
    seen: set[str] = {"Scan"}
    for flow in flows:
        for step in flow.steps:
            seen.update(step.scope.operations())
    known = [op for op in OPERATION_ORDER if op in seen]
    return known + sorted(seen - set(OPERATION_ORDER))


def scan_count(flows: Iterable[Flow]) -> int:
    return sum(step.scope.operations()["Scan"] for flow in flows for step in flow.steps)


def _item_text(item: ItemCost) -> str:
    if item.action == "GSI":
        return f"GSI {item.table.split('/')[-1]} {item.size_bytes} B {_units(item.gsi_write_units)}"
    units = (
        f"{_units(item.read_units)} RCU" if item.read_units else f"{_units(item.write_units)} WCU"
    )
    return f"{item.action} {item.table} {item.size_bytes} B {units}"


def _call_text(call: Call) -> str:
    parts: list[str] = []
    for item in call.items:
        if item.action == "GSI" and parts:
            parts[-1] += f" (+{_item_text(item)} WCU)"
        else:
            parts.append(_item_text(item))
    failed = f" [{call.error}]" if call.error else ""
    moto = "-" if call.moto_units is None else _units(call.moto_units)
    return f"{call.operation}{failed}: {'; '.join(parts) or 'no table items'}; moto says {moto}"


def _table(header: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i < left else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _step_row(step: Step, operations: list[str]) -> list[str]:
    counts = step.scope.operations()
    scope = step.scope
    return [
        scope.label,
        *(str(counts[op]) if counts[op] else "." for op in operations),
        str(len(scope.calls)),
        _units(scope.read_units),
        _units(scope.write_units),
        _units(scope.gsi_write_units),
        _units(scope.moto_units),
    ]


def render(
    flows: list[Flow], recorder: Recorder, throughput: list[Throughput], elapsed_s: float
) -> str:
    out: list[str] = [
        "Laatu bench (make bench)",
        f"Python {platform.python_version()}, moto {version('moto')}, "
        f"PynamoDB {version('pynamodb')}, botocore {version('botocore')}",
        "",
        "1. DynamoDB requests per step (moto; warm container, set-up excluded)",
        f"   Capacity units: {METHOD}.",
    ]
    out += [f"   - {line}" for line in ASSUMPTIONS]
    operations = _operations(flows)
    header = ["Step", *operations, "Requests", "RCU", "WCU", "GSI WCU", "moto says"]
    for flow in flows:
        out += ["", f"   {flow.label}"]
        rows = [_step_row(step, operations) for step in flow.steps]
        out += [f"   {line}" for line in _table(header, rows)]
        out.append("   What each request touched (item sizes in bytes) and the outcome:")
        for step in flow.steps:
            out.append(f"   {step.scope.label.strip()} -> {step.outcome}")
            out += [f"     {_call_text(call)}" for call in step.scope.calls]
    scans = scan_count(flows)
    out += [
        "",
        f"   Scan requests: {scans}   ({SCAN_GOAL}: {'met' if scans == 0 else 'NOT MET'})",
        "   Excluded set-up requests (tables, form create/publish, warm-up round trip, "
        "stream polling): " + _counter_text(recorder.setup),
        "",
        f"2. Scoring throughput ({throughput[0].answer_sets:,} random answer sets, "
        f"best of {throughput[0].repeats}, time.perf_counter; no goal set)",
        "   loop/score: how many times more evaluations per second the plain loop scores",
    ]
    t_header = ["Form", "check_answers+score", "plain int loop", "loop/score"]
    t_rows = [
        [
            t.label,
            f"{t.score_per_s:,.0f} eval/s",
            f"{t.baseline_per_s:,.0f} eval/s",
            f"{t.ratio:.1f}x",
        ]
        for t in throughput
    ]
    out += [f"   {line}" for line in _table(t_header, t_rows)]
    out += ["", f"Took {elapsed_s:.1f} s; JSON in build/bench.json"]
    return "\n".join(out)


def _counter_text(counter: Counter[str]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counter.items())) or "none"


def to_json(
    flows: list[Flow], recorder: Recorder, throughput: list[Throughput], elapsed_s: float
) -> dict[str, Any]:
    return {
        "versions": {
            "python": platform.python_version(),
            **{name: version(name) for name in ("moto", "pynamodb", "botocore", "chalice")},
        },
        "requests": {
            "capacity_method": "computed",
            "capacity_method_text": METHOD,
            "assumptions": list(ASSUMPTIONS),
            "flows": [
                {
                    "label": flow.label,
                    "steps": [_step_json(step) for step in flow.steps],
                }
                for flow in flows
            ],
            "scan_requests": scan_count(flows),
            "scan_goal": SCAN_GOAL,
            "excluded_setup_requests": dict(sorted(recorder.setup.items())),
        },
        "scoring_throughput": [
            {
                "label": t.label,
                "criteria": t.criteria,
                "answer_sets": t.answer_sets,
                "repeats": t.repeats,
                "score_evaluations_per_s": round(t.score_per_s, 1),
                "plain_loop_evaluations_per_s": round(t.baseline_per_s, 1),
                "plain_loop_over_score": round(t.ratio, 3),
            }
            for t in throughput
        ],
        "elapsed_s": round(elapsed_s, 2),
    }


def _step_json(step: Step) -> dict[str, Any]:
    scope = step.scope
    return {
        "label": scope.label.strip(),
        "outcome": step.outcome,
        "operations": dict(scope.operations()),
        "requests": len(scope.calls),
        "read_units": scope.read_units,
        "write_units": scope.write_units,
        "gsi_write_units": scope.gsi_write_units,
        "moto_reported_units": scope.moto_units,
        "calls": [
            {
                "service": call.service,
                "operation": call.operation,
                "error": call.error,
                "moto_reported_units": call.moto_units,
                "items": [
                    {
                        "action": item.action,
                        "table": item.table,
                        "size_bytes": item.size_bytes,
                        "read_units": item.read_units,
                        "write_units": item.write_units,
                        "gsi_write_units": item.gsi_write_units,
                    }
                    for item in call.items
                ],
            }
            for call in scope.calls
        ],
    }
