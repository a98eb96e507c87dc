"""Reading the packaged template (build/package/sam.yaml).

`chalice package` writes it in YAML with intrinsic functions in their long form
(`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`), so plain `yaml.safe_load` reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
TEMPLATE = Path(__file__).resolve().parent / "template.yaml"


def load(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text("utf-8"))
    if not isinstance(loaded, dict) or not isinstance(loaded.get("Resources"), dict):
        raise ValueError(f"{path} is not a CloudFormation template")
    return loaded


def of_type(template: dict[str, Any], *types: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if isinstance(resource, dict) and resource.get("Type") in types
    }


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return of_type(template, *FUNCTION_TYPES)
