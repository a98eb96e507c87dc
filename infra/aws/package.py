"""`python -m infra.aws.package build/package`: finish what `chalice package` built.

Lambda unpacks the zip into a read-only /var/task, so Python cannot write the
bytecode it compiles on import: without .pyc files in the zip every cold start
compiles every module it imports again (about twice the import time; see
`make bench`). This step adds a `__pycache__/*.cpython-3XX.pyc` beside every
.py, compiled by this interpreter, which must therefore be the runtime's
version (Chalice takes the runtime from the Python that runs it, so the two
agree unless someone edits the template).

The .pyc files are unchecked-hash ones (PEP 552): the import system loads them
without comparing them with the source's timestamp or hash. Timestamp .pyc
files would depend on Lambda keeping the zip entries' modification times, and
checked-hash ones would read and hash every source file at import time,
giving back much of the gain. The .py files stay, for tracebacks and for
anyone reading the code in the console; a .py edited there would be ignored
in favour of its .pyc, which is acceptable because the zip is only ever
replaced whole.

It also checks that the zip carries its own boto3 and botocore at the pinned
versions (so the runtime's copies, which Lambda puts later on sys.path, are
never mixed in).
"""

from __future__ import annotations

import argparse
import importlib.util
import marshal
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from infra.aws.template import functions, load

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "functions" / "requirements.txt"
TASK_ROOT = "/var/task"  # where Lambda unpacks the zip: what tracebacks will show
# PEP 552 flags: bit 0 = hash-based, bit 1 = check the source. Unchecked: 0b01.
UNCHECKED_HASH_FLAGS = 0b01
# Chalice's own fixed timestamp for every entry, so the zip stays reproducible.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MUST_CARRY = ("boto3", "botocore")


class PackageError(Exception):
    pass


@dataclass(frozen=True)
class Report:
    runtime: str
    entries: int
    sources: int
    compiled: int
    size_before: int
    size_after: int

    def text(self) -> str:
        return (
            f"precompiled {self.compiled} of {self.sources} .py files for {self.runtime} "
            f"(unchecked-hash .pyc, {self.entries} zip entries); deployment.zip "
            f"{self.size_before / 2**20:.1f} MiB -> {self.size_after / 2**20:.1f} MiB"
        )


def this_runtime() -> str:
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def template_runtime(template: dict[str, Any]) -> str:
    runtimes = {str(f["Properties"].get("Runtime")) for f in functions(template).values()}
    if len(runtimes) != 1:
        raise PackageError(f"expected one Lambda runtime in the template, found {sorted(runtimes)}")
    return runtimes.pop()


def pinned(requirements: Path = REQUIREMENTS) -> dict[str, str]:
    """name -> version for every `name==version` line (extras dropped)."""
    found: dict[str, str] = {}
    for line in requirements.read_text("utf-8").splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^\s#;]+).*", line)
        if match:
            found[match.group(1).lower()] = match.group(3)
    return found


def dist_versions(names: list[str]) -> dict[str, str]:
    """Distribution name -> version, read from the *.dist-info folders in the zip."""
    versions: dict[str, str] = {}
    for name in names:
        top = name.split("/", 1)[0]
        if top.endswith(".dist-info"):
            dist, _, version = top[: -len(".dist-info")].rpartition("-")
            versions[dist.lower().replace("_", "-")] = version
    return versions


def check_carried(names: list[str], pins: dict[str, str]) -> None:
    versions = dist_versions(names)
    tops = {name.split("/", 1)[0] for name in names}
    for dist in MUST_CARRY:
        if dist not in tops or dist not in versions:
            raise PackageError(
                f"the zip does not carry {dist}; list it in functions/requirements.txt"
            )
        if dist in pins and versions[dist] != pins[dist]:
            raise PackageError(
                f"the zip carries {dist} {versions[dist]} but requirements.txt pins {pins[dist]}"
            )


def unchecked_pyc(source: bytes, filename: str) -> bytes:
    """PEP 552 layout: magic, flags, the source's SipHash, then the marshalled code."""
    code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
    return b"".join(
        (
            importlib.util.MAGIC_NUMBER,
            UNCHECKED_HASH_FLAGS.to_bytes(4, "little"),
            importlib.util.source_hash(source),
            marshal.dumps(code),
        )
    )


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    out = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
    out.external_attr = info.external_attr
    out.create_system = info.create_system
    out.compress_type = zipfile.ZIP_DEFLATED
    return out


def _pyc_info(name: str) -> zipfile.ZipInfo:
    out = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    out.external_attr = (0o100644 & 0xFFFF) << 16  # a regular file, rw-r--r--
    out.create_system = 3  # Unix, so the mode bits above are honoured
    out.compress_type = zipfile.ZIP_DEFLATED
    return out


def precompile(zip_path: Path, runtime: str) -> Report:
    if runtime != this_runtime():
        raise PackageError(
            f"the template's runtime is {runtime} but this is {this_runtime()}: Lambda would "
            "ignore the bytecode. Run `make package` with the runtime's Python."
        )
    size_before = zip_path.stat().st_size
    tmp = zip_path.with_suffix(".zip.tmp")
    sources = compiled = entries = 0
    errors: list[str] = []
    with zipfile.ZipFile(zip_path) as src:
        infos = [i for i in src.infolist() if "__pycache__/" not in i.filename]
        check_carried([i.filename for i in infos], pinned())
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for info in sorted(infos, key=lambda i: i.filename):
                data = src.read(info)
                out.writestr(_copy_info(info), data)
                entries += 1
                if info.is_dir() or not info.filename.endswith(".py"):
                    continue
                sources += 1
                try:
                    pyc = unchecked_pyc(data, f"{TASK_ROOT}/{info.filename}")
                except (SyntaxError, ValueError) as exc:
                    errors.append(f"{info.filename}: {exc}")
                    continue
                out.writestr(_pyc_info(importlib.util.cache_from_source(info.filename)), pyc)
                compiled += 1
                entries += 1
    if errors:
        tmp.unlink()
        raise PackageError("these files do not compile:\n  " + "\n  ".join(errors))
    tmp.replace(zip_path)
    return Report(runtime, entries, sources, compiled, size_before, zip_path.stat().st_size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("package_dir", type=Path, help="the output folder of `chalice package`")
    args = parser.parse_args(argv)
    package_dir: Path = args.package_dir
    try:
        template = load(package_dir / "sam.yaml")
        report = precompile(package_dir / "deployment.zip", template_runtime(template))
    except (PackageError, OSError, yaml.YAMLError) as exc:
        print(f"make package: {exc}", file=sys.stderr)
        return 1
    print(report.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
