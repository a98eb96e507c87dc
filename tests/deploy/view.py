"""Reading policies and references out of the packaged template."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Resource = dict[str, Any]
POLICY_DOCUMENT_TYPES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::S3::BucketPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
)


@dataclass(frozen=True)
class Statement:
    owner: str  # the logical id of the role, bucket policy, key...
    kind: str  # its resource type
    body: dict[str, Any]

    @property
    def effect(self) -> str:
        return str(self.body.get("Effect"))

    @property
    def actions(self) -> list[str]:
        return listed(self.body.get("Action"))

    @property
    def resources(self) -> list[Any]:
        value = self.body.get("Resource")
        return value if isinstance(value, list) else [value]


def listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _branches(value: Any) -> list[Any]:
    """Both sides of an Fn::If, so a conditional statement is still looked at."""
    if isinstance(value, dict) and "Fn::If" in value:
        _, yes, no = value["Fn::If"]
        return [*_branches(yes), *_branches(no)]
    if isinstance(value, dict) and value.get("Ref") == "AWS::NoValue":
        return []
    return [value]


def _documents(resource: Resource) -> Iterator[Any]:
    kind = resource.get("Type")
    props = resource.get("Properties", {})
    if kind == "AWS::IAM::Role":
        for policy in props.get("Policies", []):
            yield policy.get("PolicyDocument")
    elif kind in POLICY_DOCUMENT_TYPES:
        yield props.get("PolicyDocument")
    elif kind == "AWS::KMS::Key":
        yield props.get("KeyPolicy")


def statements(template: Mapping[str, Any]) -> list[Statement]:
    found: list[Statement] = []
    for name, resource in template["Resources"].items():
        for document in _documents(resource):
            for body in document.get("Statement", []) if isinstance(document, dict) else []:
                found += [Statement(name, resource["Type"], b) for b in _branches(body)]
    return found


def ref_name(value: Any) -> str | None:
    """The logical id a Ref or Fn::GetAtt points at, else None."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return str(target[0] if isinstance(target, list) else target.split(".", 1)[0])
    return None


def getatt(value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        name, attribute = target if isinstance(target, list) else target.split(".", 1)
        return str(name), str(attribute)
    return None


def resolve(value: Any, known: Mapping[str, str]) -> str:
    """A string for an intrinsic, from `known` ("Name" for Ref, "Name.Attr" for GetAtt).
    Whatever is not known becomes `<name>`, which no real ARN matches."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return known.get(str(value["Ref"]), f"<{value['Ref']}>")
    pointed = getatt(value)
    if pointed is not None:
        key = ".".join(pointed)
        return known.get(key, f"<{key}>")
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        text, local = (sub, {}) if isinstance(sub, str) else (sub[0], sub[1])
        scope = {**known, **{k: resolve(v, known) for k, v in local.items()}}
        return re.sub(
            r"\$\{([^}!][^}]*)\}", lambda m: scope.get(m.group(1), f"<{m.group(1)}>"), text
        ).replace("${!", "${")
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(resolve(p, known) for p in parts)
    return f"<{value!r}>"


def matches(pattern: str, value: str) -> bool:
    """IAM's wildcards: * any run of characters, ? one character; actions ignore case."""
    return fnmatch.fnmatchcase(value, pattern)


def action_matches(pattern: str, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def role_of(template: Mapping[str, Any], function: str) -> tuple[str, Resource]:
    role = template["Resources"][function]["Properties"].get("Role")
    pointed = getatt(role)
    hint = (
        f"{function}'s Role is {role!r}: give it a role in infra/aws/template.yaml "
        "(config.json only names a placeholder)"
    )
    assert pointed is not None, hint
    assert pointed[1] == "Arn", hint
    resource: Resource = template["Resources"][pointed[0]]
    assert resource["Type"] == "AWS::IAM::Role"
    return pointed[0], resource
