"""`make package`: cfn-lint, the zip's contents and its bytecode."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from infra.aws import package
from tests.deploy.conftest import Packaged

CLEAN_ENV = {
    # Just what `import app` needs; no PYTHONPATH, so only the zip and the stdlib are seen.
    "LAATU_AUTH_MODE": "local",
    "LAATU_TABLE": "t",
    "LAATU_EVALUATIONS_TABLE": "e",
    "AWS_DEFAULT_REGION": "eu-north-1",
    "PATH": "/usr/bin:/bin",
}


def test_make_package_builds_precompiles_and_lints(packaged: Packaged) -> None:
    assert packaged.zip_path.is_file()
    assert "precompiled" in packaged.output
    assert "cfn-lint" in packaged.output  # the recipe ran it, and it found no error


def test_cfn_lint_finds_no_error(packaged: Packaged) -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    done = subprocess.run(  # noqa: S603 - the venv's cfn-lint on our own file
        [str(cfn_lint), "--format", "json", "--", str(packaged.template_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(done.stdout or "[]")
    errors = [f for f in findings if f["Level"] == "Error"]
    assert not errors, json.dumps(errors, indent=2)


def test_the_runtime_is_the_python_that_compiled_the_bytecode(packaged: Packaged) -> None:
    assert package.template_runtime(packaged.template) == package.this_runtime()


def test_the_zip_carries_boto3_and_an_unchecked_pyc_for_every_module(packaged: Packaged) -> None:
    with zipfile.ZipFile(packaged.zip_path) as archive:
        names = set(archive.namelist())
        sources = [n for n in names if n.endswith(".py")]
        assert {
            "app.py",
            "chalicelib/config.py",
            "boto3/__init__.py",
            "botocore/__init__.py",
        } <= names
        # The zip carries the versions the test suite ran against.
        versions = package.dist_versions(sorted(names))
        for dist in ("boto3", "botocore", "pynamodb", "jsonschema", "pyjwt"):
            assert versions[dist] == version(dist), dist
        for source in sources:
            cached = importlib.util.cache_from_source(source)
            assert cached in names, f"{source} has no bytecode"
        header = archive.read(importlib.util.cache_from_source("app.py"))[:16]
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[4:8], "little") == package.UNCHECKED_HASH_FLAGS
    assert len(sources) > 400


def test_the_packaged_app_imports_on_its_own_from_its_bytecode(
    packaged: Packaged, tmp_path: Path
) -> None:
    with zipfile.ZipFile(packaged.zip_path) as archive:
        archive.extractall(tmp_path)
    # Were the source read, this would stop the import: the .pyc must be what loads.
    (tmp_path / "app.py").write_text("raise SystemExit('the source was compiled')\n")
    done = subprocess.run(
        [
            sys.executable,
            "-S",  # no site-packages: everything must come from the zip
            "-E",
            "-B",  # /var/task is read-only on Lambda
            "-c",
            "import app, botocore, boto3; print(botocore.__file__); print(boto3.__file__)",
        ],
        cwd=tmp_path,
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        assert Path(line).is_relative_to(tmp_path), line
    assert not list(tmp_path.rglob("__pycache__/*.cpython-*.opt-*.pyc"))


def _zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_precompile_refuses_another_runtime_and_a_zip_without_boto3(tmp_path: Path) -> None:
    carried = {
        "app.py": "x = 1\n",
        "boto3/__init__.py": "",
        "botocore/__init__.py": "",
        f"boto3-{package.pinned()['boto3']}.dist-info/METADATA": "",
        f"botocore-{version('botocore')}.dist-info/METADATA": "",
    }
    with pytest.raises(package.PackageError, match=r"runtime is python3\.99"):
        package.precompile(_zip(tmp_path / "a.zip", carried), "python3.99")
    without = {k: v for k, v in carried.items() if not k.startswith("boto3")}
    with pytest.raises(package.PackageError, match="does not carry boto3"):
        package.precompile(_zip(tmp_path / "b.zip", without), package.this_runtime())
    broken = {**carried, "bad.py": "def (:\n"}
    with pytest.raises(package.PackageError, match=r"bad\.py"):
        package.precompile(_zip(tmp_path / "c.zip", broken), package.this_runtime())
    report = package.precompile(_zip(tmp_path / "d.zip", carried), package.this_runtime())
    assert (report.sources, report.compiled) == (3, 3)
