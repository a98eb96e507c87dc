"""`make deploy STAGE=prod`: the packaged template into a CloudFormation stack, then the site.

    python -m infra.aws.deploy preflight          # the AWS CLI, credentials and a region
    python -m infra.aws.deploy deploy --stage prod

Only the AWS CLI (v2, or v1 from 1.32) is used, with whatever credentials it
finds (profile, SSO, environment). Steps:

1. an artifact bucket for the Lambda zip (`laatu-artifacts-{account}-{region}`,
   or `ARTIFACT_BUCKET`), created private if missing;
2. `aws cloudformation package` (uploads the zip) and `aws cloudformation deploy`
   of the stack `laatu-{stage}`;
3. a second deploy the first time only: the Cognito callback and the uploads
   bucket's CORS need the CloudFront address, which exists only once the
   distribution does (naming it directly would be a dependency cycle), so the
   stack's SiteUrl output is fed back as the SiteUrl parameter. Later deploys
   pass the known address and need one pass;
4. `config.js` written from the stack's outputs and the site synced to its
   bucket, every file with `Cache-Control: no-cache` (the module files are not
   fingerprinted, so browsers revalidate them), then a CloudFront invalidation.

Parameters from the environment (make passes its command-line variables on):
PAYROLL_TENANT, PAYROLL_PRINCIPAL_ARN, PAYROLL_EXTERNAL_ID, ALARM_EMAIL,
LOG_RETENTION_DAYS. A parameter not given keeps the stack's current value.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SITE_DIR = ROOT / "static_site"
CONFIG_JS = ROOT / "build" / "site" / "config.js"
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")  # IAM roles; the SAM transform
PARAMETERS_FROM_ENV = {
    "PAYROLL_TENANT": "PayrollTenant",
    "PAYROLL_PRINCIPAL_ARN": "PayrollPrincipalArn",
    "PAYROLL_EXTERNAL_ID": "PayrollExternalId",
    "ALARM_EMAIL": "AlarmEmail",
    "LOG_RETENTION_DAYS": "LogRetentionDays",
}
SITE_CACHE_CONTROL = "no-cache"  # every site file, config.js too: browsers revalidate each use
INSTALL_CLI = "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"


class DeployError(Exception):
    pass


@dataclass(frozen=True)
class Target:
    aws: str  # the CLI's full path
    account: str
    caller: str
    region: str


def _run(argv: Sequence[str], *, capture: bool = True) -> subprocess.CompletedProcess[str]:
    # A fixed argument list from this module, never a shell string.
    return subprocess.run(list(argv), check=False, text=True, capture_output=capture)  # noqa: S603


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no message)"


def preflight() -> Target:
    """The CLI, working credentials and a region, or a DeployError saying what to do."""
    aws = shutil.which("aws")
    if aws is None:
        raise DeployError(
            "the AWS CLI is not installed (no `aws` on PATH). Install it "
            f"({INSTALL_CLI}), then run `aws configure` or `aws sso login`."
        )
    who = _run([aws, "sts", "get-caller-identity", "--output", "json"])
    if who.returncode != 0:
        raise DeployError(
            "no working AWS credentials: `aws sts get-caller-identity` said: "
            f"{_last_line(who.stderr or who.stdout)}\nConfigure them with `aws configure`, "
            "or `aws sso login --profile NAME` and AWS_PROFILE=NAME."
        )
    identity = json.loads(who.stdout)
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        configured = _run([aws, "configure", "get", "region"])
        region = configured.stdout.strip() if configured.returncode == 0 else ""
    if not region:
        raise DeployError(
            "no AWS region: set AWS_REGION (for example eu-north-1) or run "
            "`aws configure set region eu-north-1`."
        )
    return Target(aws, str(identity["Account"]), str(identity["Arn"]), region)


class Aws:
    """The few AWS CLI calls a deploy makes, in one region."""

    def __init__(self, target: Target) -> None:
        self.target = target

    def _argv(self, *args: str) -> list[str]:
        return [self.target.aws, *args, "--region", self.target.region]

    def call(self, *args: str) -> str:
        """Run a call whose output is read; its error ends the deploy."""
        done = _run(self._argv(*args))
        if done.returncode != 0:
            raise DeployError(f"`aws {' '.join(args[:2])}` failed: {_last_line(done.stderr)}")
        return done.stdout

    def step(self, *args: str) -> None:
        """Run a long call with its own progress output on the terminal."""
        if _run(self._argv(*args), capture=False).returncode != 0:
            raise DeployError(f"`aws {' '.join(args[:2])}` failed (see above)")

    def stack_outputs(self, stack: str) -> dict[str, str] | None:
        """The stack's outputs, or None when there is no such stack yet."""
        done = _run(self._argv("cloudformation", "describe-stacks", "--stack-name", stack))
        if done.returncode != 0:
            if "does not exist" in done.stderr:
                return None
            raise DeployError(
                f"`aws cloudformation describe-stacks` failed: {_last_line(done.stderr)}"
            )
        stacks: list[dict[str, Any]] = json.loads(done.stdout)["Stacks"]
        return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}

    def ensure_bucket(self, bucket: str) -> None:
        if _run(self._argv("s3api", "head-bucket", "--bucket", bucket)).returncode == 0:
            return
        print(f"Creating the artifact bucket {bucket}")
        create = ["s3api", "create-bucket", "--bucket", bucket]
        if self.target.region != "us-east-1":  # the one region that refuses a LocationConstraint
            create += ["--create-bucket-configuration", f"LocationConstraint={self.target.region}"]
        self.call(*create)
        self.call(
            "s3api",
            "put-public-access-block",
            "--bucket",
            bucket,
            "--public-access-block-configuration",
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,"
            "RestrictPublicBuckets=true",
        )


def parameter_overrides(site_url: str, env: Mapping[str, str]) -> list[str]:
    overrides = [f"SiteUrl={site_url}"]
    overrides += [f"{name}={env[var]}" for var, name in PARAMETERS_FROM_ENV.items() if var in env]
    return overrides


def site_config(outputs: Mapping[str, str]) -> dict[str, Any]:
    """What static_site reads as window.LAATU_CONFIG (the local stack serves the same keys)."""
    site = outputs["SiteUrl"]
    return {
        "apiBaseUrl": site,  # the API is under /v1 of the site's own origin
        "authMode": "cognito",
        "cognito": {
            "region": outputs["Region"],
            "userPoolId": outputs["UserPoolId"],
            "clientId": outputs["UserPoolClientId"],
            "domain": outputs["CognitoDomain"],
            "redirectUri": f"{site}/",
            "logoutUri": f"{site}/",
            "scopes": ["openid", "email", "profile"],
        },
    }


def config_js(outputs: Mapping[str, str]) -> str:
    return f"window.LAATU_CONFIG = {json.dumps(site_config(outputs), indent=2)};\n"


def needs_second_pass(outputs: Mapping[str, str]) -> bool:
    return outputs.get("ConfiguredSiteUrl") != outputs["SiteUrl"]


def deploy(
    stage: str, package_dir: Path, *, site_dir: Path = SITE_DIR, config_path: Path = CONFIG_JS
) -> dict[str, str]:
    target = preflight()
    print(f"Deploying stage {stage} as {target.caller} to {target.account} in {target.region}")
    aws = Aws(target)
    stack = f"laatu-{stage}"
    bucket = (
        os.environ.get("ARTIFACT_BUCKET") or f"laatu-artifacts-{target.account}-{target.region}"
    )
    aws.ensure_bucket(bucket)
    packaged = package_dir / "packaged.yaml"
    aws.step(
        "cloudformation",
        "package",
        "--template-file",
        str(package_dir / "sam.yaml"),
        "--s3-bucket",
        bucket,
        "--s3-prefix",
        stack,
        "--output-template-file",
        str(packaged),
    )
    before = aws.stack_outputs(stack) or {}

    def deploy_pass(site_url: str) -> dict[str, str]:
        aws.step(
            "cloudformation",
            "deploy",
            "--template-file",
            str(packaged),
            "--stack-name",
            stack,
            # The template is over CloudFormation's 51,200-byte inline limit.
            "--s3-bucket",
            bucket,
            "--s3-prefix",
            stack,
            "--capabilities",
            *CAPABILITIES,
            "--no-fail-on-empty-changeset",
            "--tags",
            "app=laatu",
            f"stage={stage}",
            "--parameter-overrides",
            *parameter_overrides(site_url, os.environ),
        )
        outputs = aws.stack_outputs(stack)
        if outputs is None:
            raise DeployError(f"the stack {stack} is not there after deploying it")
        return outputs

    outputs = deploy_pass(before.get("SiteUrl", ""))
    if needs_second_pass(outputs):
        print(f"Pointing the sign-in callback and upload CORS at {outputs['SiteUrl']}")
        outputs = deploy_pass(outputs["SiteUrl"])
    publish_site(aws, outputs, site_dir, config_path)
    return outputs


LOCAL_CONNECT_SOURCES = "https://*.amazoncognito.com https://*.amazonaws.com http://127.0.0.1:*"


def production_connect_sources(outputs: Mapping[str, str]) -> str:
    """Exactly the origins the deployed site talks to besides its own: the hosted UI
    and the uploads bucket's regional endpoint (presigned POSTs)."""
    uploads = f"https://{outputs['UploadsBucketName']}.s3.{outputs['Region']}.amazonaws.com"
    return f"{outputs['CognitoDomain']} {uploads}"


def stage_site(site_dir: Path, staged: Path, outputs: Mapping[str, str]) -> Path:
    """A copy of the site whose CSP names the stack's own origins instead of the wide
    development list (any AWS endpoint, any loopback port for moto)."""
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(site_dir, staged)
    index = staged / "index.html"
    html = index.read_text("utf-8")
    if LOCAL_CONNECT_SOURCES not in html:
        raise DeployError("static_site/index.html has no connect-src list to narrow")
    index.write_text(
        html.replace(LOCAL_CONNECT_SOURCES, production_connect_sources(outputs)), "utf-8"
    )
    return staged


def publish_site(aws: Aws, outputs: Mapping[str, str], site_dir: Path, config_path: Path) -> None:
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(config_js(outputs), "utf-8")
    bucket = f"s3://{outputs['SiteBucketName']}"
    if site_dir.is_dir():
        site_dir = stage_site(site_dir, config_path.parent / "static", outputs)
        # config.js is excluded, so --delete leaves the deployed one alone until replaced.
        # The module files keep their names from release to release (no content hash), so
        # browsers must revalidate them: with no-cache a returning user gets a 304 for an
        # unchanged file and never mixes an old module with a new one.
        aws.step(
            "s3",
            "sync",
            str(site_dir),
            bucket,
            "--delete",
            "--exclude",
            "config.js",
            "--cache-control",
            SITE_CACHE_CONTROL,
        )
    aws.step(
        "s3",
        "cp",
        str(config_path),
        f"{bucket}/config.js",
        "--content-type",
        "text/javascript; charset=utf-8",
        "--cache-control",
        SITE_CACHE_CONTROL,
    )
    aws.call(
        "cloudfront",
        "create-invalidation",
        "--distribution-id",
        outputs["SiteDistributionId"],
        "--paths",
        "/*",
    )


def next_steps(outputs: Mapping[str, str], region: str) -> str:
    pool = outputs["UserPoolId"]
    lines = [
        f"Laatu is at {outputs['SiteUrl']} (the API under {outputs['SiteUrl']}/v1).",
        "First admin (README, 'Deploy to AWS'):",
        f"  aws cognito-idp admin-create-user --region {region} --user-pool-id {pool} "
        "--username you@example.com --user-attributes Name=email,Value=you@example.com "
        "Name=email_verified,Value=true Name=custom:tenant,Value=YOUR-TENANT",
        f"  aws cognito-idp admin-add-user-to-group --region {region} --user-pool-id {pool} "
        "--username you@example.com --group-name admin",
    ]
    if "PayrollRoleArn" in outputs:
        lines.append(f"Payroll role: {outputs['PayrollRoleArn']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Deploy Laatu to AWS with the AWS CLI.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("preflight", help="check the AWS CLI, credentials and region")
    run = commands.add_parser("deploy", help="deploy build/package and publish the site")
    run.add_argument("--stage", default="prod")
    run.add_argument("--package-dir", type=Path, default=ROOT / "build" / "package")
    args = parser.parse_args(argv)
    try:
        if args.command == "preflight":
            target = preflight()
            print(
                f"AWS CLI {target.aws}, {target.caller}, account {target.account}, {target.region}"
            )
            return 0
        if not (args.package_dir / "sam.yaml").is_file():
            raise DeployError(f"{args.package_dir}/sam.yaml is missing: run `make package` first")
        outputs = deploy(args.stage, args.package_dir)
        print(next_steps(outputs, outputs["Region"]))
    except DeployError as exc:
        print(f"make deploy: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
