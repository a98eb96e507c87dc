"""The deployment package: the zip's size and how long the packaged app takes to import.

Lambda unpacks the zip into /var/task, puts it first on sys.path and cannot
write bytecode there, so a cold start imports exactly what the zip holds. The
bench does the same: it unpacks build/package/deployment.zip (running `make
package` first when the zip is missing or older than the code) into a
temporary folder, once as built (with the precompiled .pyc files) and once
without them (as `chalice package` alone leaves it), and times a fresh
interpreter importing `app`, and `boto3` alone, in each:

    python -S -E -B -X importtime -c "import app"

-S keeps the interpreter away from the virtualenv's site-packages, so only the
zip and the standard library are seen; -B stops it writing bytecode, as on
Lambda. The figure is `-X importtime`'s cumulative time of the top-level
import, which leaves out the interpreter's own start. Runs alternate between
the four cases and the median is reported; nothing is asserted.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support import ROOT

ZIP = ROOT / "build" / "package" / "deployment.zip"
SOURCES = (
    ROOT / "chalicelib",
    ROOT / "functions" / "app.py",
    ROOT / "functions" / "requirements.txt",
    ROOT / "functions" / ".chalice" / "config.json",
    ROOT / "infra" / "aws",
)
REPEATS = 9
GOAL = 1.2  # packaged `import app` within 1.2x of `import boto3` alone
ENV = {
    # What `import app` reads at import time; local auth so no Cognito settings are needed.
    "LAATU_AUTH_MODE": "local",
    "LAATU_TABLE": "bench",
    "LAATU_EVALUATIONS_TABLE": "bench-evaluations",
    "AWS_DEFAULT_REGION": "eu-north-1",
    "PATH": "/usr/bin:/bin",
}
CASES = (
    ("app", "precompiled"),
    ("boto3", "precompiled"),
    ("app", "source only"),
    ("boto3", "source only"),
)


@dataclass(frozen=True)
class Timing:
    module: str
    variant: str
    samples_us: tuple[int, ...]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_us) / 1000

    @property
    def best_ms(self) -> float:
        return min(self.samples_us) / 1000


@dataclass(frozen=True)
class PackageBench:
    zip_bytes: int
    unpacked_bytes: int
    entries: int
    sources: int
    pycs: int
    built_now: bool
    build_s: float
    timings: tuple[Timing, ...]

    def timing(self, module: str, variant: str) -> Timing:
        return next(t for t in self.timings if (t.module, t.variant) == (module, variant))

    @property
    def app_over_boto3(self) -> float:
        app, boto3 = self.timing("app", "precompiled"), self.timing("boto3", "precompiled")
        return app.median_ms / boto3.median_ms

    @property
    def source_over_precompiled(self) -> float:
        source, precompiled = self.timing("app", "source only"), self.timing("app", "precompiled")
        return source.median_ms / precompiled.median_ms


def _newest_source() -> float:
    newest = 0.0
    for source in SOURCES:
        files = source.rglob("*") if source.is_dir() else [source]
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def ensure_package() -> tuple[bool, float]:
    """(built now, seconds): run `make package` unless the zip is newer than the code."""
    if ZIP.is_file() and ZIP.stat().st_mtime >= _newest_source():
        return False, 0.0
    started = time.perf_counter()
    done = subprocess.run(
        ["make", "--no-print-directory", "package"],  # noqa: S607 - make from PATH, as by hand
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"make package failed:\n{done.stdout}{done.stderr}")
    return True, time.perf_counter() - started


def import_us(module: str, folder: Path) -> int:
    """`-X importtime`'s cumulative microseconds for the top-level import of `module`."""
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed command
        [sys.executable, "-S", "-E", "-B", "-X", "importtime", "-c", f"import {module}"],
        cwd=folder,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in done.stderr.splitlines():
        # "import time:  self [us] | cumulative | imported package"; top level has one space.
        parts = line.split("|")
        if len(parts) == 3 and parts[2] == f" {module}":
            return int(parts[1])
    raise RuntimeError(f"no import time for {module} in:\n{done.stderr[-2000:]}")


def _unpack(archive: zipfile.ZipFile, folder: Path, *, bytecode: bool) -> None:
    for info in archive.infolist():
        if bytecode or "__pycache__/" not in info.filename:
            archive.extract(info, folder)


def run_package_bench(repeats: int = REPEATS) -> PackageBench:
    built_now, build_s = ensure_package()
    samples: dict[tuple[str, str], list[int]] = {case: [] for case in CASES}
    with zipfile.ZipFile(ZIP) as archive, tempfile.TemporaryDirectory() as tmp:
        infos = archive.infolist()
        folders = {"precompiled": Path(tmp, "precompiled"), "source only": Path(tmp, "source")}
        for variant, folder in folders.items():
            _unpack(archive, folder, bytecode=variant == "precompiled")
        for module, variant in CASES:  # one unmeasured round: the page cache, not the zip
            import_us(module, folders[variant])
        for _ in range(repeats):
            for module, variant in CASES:
                samples[(module, variant)].append(import_us(module, folders[variant]))
    return PackageBench(
        zip_bytes=ZIP.stat().st_size,
        unpacked_bytes=sum(i.file_size for i in infos),
        entries=len(infos),
        sources=sum(1 for i in infos if i.filename.endswith(".py")),
        pycs=sum(1 for i in infos if i.filename.endswith(".pyc")),
        built_now=built_now,
        build_s=build_s,
        timings=tuple(Timing(m, v, tuple(samples[(m, v)])) for m, v in CASES),
    )


def render_package(bench: PackageBench) -> str:
    built = f"built by make package in {bench.build_s:.0f} s" if bench.built_now else "up to date"
    out = [
        f"3. Deployment package (build/package/deployment.zip, {built})",
        f"   zip {bench.zip_bytes / 2**20:.1f} MiB ({bench.zip_bytes:,} bytes); unpacked "
        f"{bench.unpacked_bytes / 2**20:.1f} MiB in {bench.entries:,} entries; "
        f"{bench.pycs} precompiled .pyc for {bench.sources} .py",
        "   Import time in a fresh interpreter, unpacked as on Lambda (python -S -B -X "
        f"importtime; median of {len(bench.timings[0].samples_us)}, "
        f"Python {sys.version.split()[0]}):",
        f"   {'import':<14}{'precompiled':>14}{'source only':>14}",
    ]
    for module in ("app", "boto3"):
        pre, raw = bench.timing(module, "precompiled"), bench.timing(module, "source only")
        out.append(f"   {module:<14}{pre.median_ms:>11.0f} ms{raw.median_ms:>11.0f} ms")
    ratio = bench.app_over_boto3
    out += [
        f"   packaged import app / import boto3 alone: {ratio:.2f}x "
        f"(goal: within {GOAL}x: {'met' if ratio <= GOAL else 'NOT MET'})",
        f"   without the .pyc files import app takes {bench.source_over_precompiled:.1f}x as long",
    ]
    return "\n".join(out)


def package_json(bench: PackageBench) -> dict[str, Any]:
    return {
        "zip_bytes": bench.zip_bytes,
        "unpacked_bytes": bench.unpacked_bytes,
        "entries": bench.entries,
        "py_files": bench.sources,
        "pyc_files": bench.pycs,
        "built_now": bench.built_now,
        "import_time_method": "python -S -E -B -X importtime: cumulative us, top-level import",
        "import_ms": {
            f"{t.module} ({t.variant})": {
                "median": round(t.median_ms, 1),
                "best": round(t.best_ms, 1),
                "samples_us": list(t.samples_us),
            }
            for t in bench.timings
        },
        "app_over_boto3": round(bench.app_over_boto3, 3),
        "app_over_boto3_goal": GOAL,
        "source_only_over_precompiled": round(bench.source_over_precompiled, 3),
    }
