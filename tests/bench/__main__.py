"""`python -m tests.bench`: print the report and write it to build/bench.json.

Nothing here asserts a timing or a goal; the figures are printed, with the goal
beside the one figure that has one (no Scan anywhere).
"""

from __future__ import annotations

import json
import logging
import time

from tests.bench.browser import browser_json, render_browser, run_browser_bench
from tests.bench.exports import exports_json, render_exports, run_export_bench
from tests.bench.flow import run_flows
from tests.bench.imports import imports_json, render_imports, run_import_bench
from tests.bench.load import load_json, render_load, run_load_bench
from tests.bench.package import package_json, render_package, run_package_bench
from tests.bench.recorder import Recorder
from tests.bench.report import render, to_json
from tests.bench.reports import render_reports, reports_json, run_reports_bench
from tests.bench.throughput import run_throughput
from tests.support import ROOT, load_app

OUTPUT = ROOT / "build" / "bench.json"


def main() -> None:
    # The app logs every record the stream handler applies; the report says it once.
    load_app()
    logging.getLogger("laatu").setLevel(logging.WARNING)
    started = time.perf_counter()
    recorder = Recorder()
    flows = run_flows(recorder)
    throughput = run_throughput()
    package = run_package_bench()
    export = run_export_bench()
    report_cells = run_reports_bench()
    batch_import = run_import_bench()
    load = run_load_bench()
    browser = run_browser_bench()
    elapsed = time.perf_counter() - started
    report = to_json(flows, recorder, throughput, elapsed)
    report["package"] = package_json(package)
    report["exports"] = exports_json(export)
    report["reports"] = reports_json(report_cells)
    report["imports"] = imports_json(batch_import)
    report["load"] = load_json(load)
    report["browser"] = browser_json(browser)
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    print(render(flows, recorder, throughput, elapsed))
    print()
    print(render_package(package))
    print()
    print(render_exports(export))
    print()
    print(render_reports(report_cells))
    print()
    print(render_imports(batch_import))
    print()
    print(render_load(load))
    print()
    print(render_browser(browser))


if __name__ == "__main__":
    main()
