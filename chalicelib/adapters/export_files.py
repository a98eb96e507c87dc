"""Export files in S3: written once, never overwritten, handed out by presigned links."""

from __future__ import annotations

import os
from functools import cached_property
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.domain.payroll import LINK_LIFETIME_S

EXPORTS_BUCKET_ENV = "LAATU_EXPORTS_BUCKET"


class FileAlreadyDifferent(Exception):
    """A revision's file exists with other bytes: a written revision is never replaced."""


class ExportFiles:
    def __init__(self, bucket: str | None = None) -> None:
        self._bucket = bucket

    @property
    def bucket(self) -> str:
        return self._bucket or os.environ.get(EXPORTS_BUCKET_ENV, "laatu-local-exports")

    @cached_property
    def _s3(self) -> Any:
        return boto3.client("s3")

    def put_once(self, key: str, data: bytes, content_type: str) -> None:
        """Write unless the key exists; an existing key must hold the same bytes."""
        try:
            self._s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                IfNoneMatch="*",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in (
                "PreconditionFailed",
                "ConditionalRequestConflict",
            ):
                raise
            if self.get(key) != data:
                raise FileAlreadyDifferent(key) from None

    def get(self, key: str) -> bytes | None:
        try:
            body: bytes = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return body

    def link(self, key: str, filename: str) -> str:
        url: str = self._s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
            ExpiresIn=LINK_LIFETIME_S,
        )
        return url
