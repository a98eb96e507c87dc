"""The uploads bucket: presigned POSTs for batch files, reading them, and reports.

In AWS the presigned POST points at the bucket's regional virtual-hosted URL
(https://{bucket}.s3.{region}.amazonaws.com/); locally boto3 follows
AWS_ENDPOINT_URL to moto's loopback address, which the browser and
`laatu import` on the same machine reach directly.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

UPLOADS_BUCKET_ENV = "LAATU_UPLOADS_BUCKET"
DEFAULT_UPLOADS_BUCKET = "laatu-local-uploads"
_MISSING = ("NoSuchKey", "404", "NotFound")
PROCESSED_TAG = "laatu-import=done"  # infra/aws/template.yaml's lifecycle rule matches it


def uploads_bucket() -> str:
    return os.environ.get(UPLOADS_BUCKET_ENV) or DEFAULT_UPLOADS_BUCKET


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


class ObjectTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


class UploadStore:
    """S3 access for imports; the bucket comes from LAATU_UPLOADS_BUCKET when used."""

    def __init__(self, bucket: str | None = None) -> None:
        self._bucket = bucket
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def bucket(self) -> str:
        return self._bucket or uploads_bucket()

    def _s3(self) -> Any:
        # boto3 clients are thread-safe once made, but making one is not.
        with self._lock:
            if self._client is None:
                self._client = boto3.client(
                    "s3",
                    config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}),
                )
            return self._client

    def presigned_post(self, key_prefix: str, max_bytes: int, expires_s: int) -> PresignedPost:
        """A form upload of one file of 1 byte to `max_bytes` under `key_prefix`; S3 puts
        the browser's file name in place of ${filename}."""
        answer = self._s3().generate_presigned_post(
            Bucket=self.bucket,
            Key=key_prefix + "${filename}",
            Conditions=[
                ["starts-with", "$key", key_prefix],
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_s,
        )
        return PresignedPost(str(answer["url"]), {k: str(v) for k, v in answer["fields"].items()})

    def size(self, key: str) -> int | None:
        """The object's size, or None if there is no such object."""
        try:
            head = self._s3().head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        return int(head["ContentLength"])

    def read(self, key: str, max_bytes: int) -> bytes:
        """The object's bytes; ObjectTooLarge without reading a byte past the limit."""
        answer = self._s3().get_object(Bucket=self.bucket, Key=key)
        size = int(answer["ContentLength"])
        body = answer["Body"]
        try:
            if size > max_bytes:
                raise ObjectTooLarge(size)
            data: bytes = body.read()
        finally:
            body.close()
        return data

    def write(self, key: str, data: bytes, content_type: str) -> None:
        self._s3().put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            Tagging=PROCESSED_TAG,
        )

    def mark_processed(self, key: str) -> None:
        """Tag an upload the import has finished with: the bucket's lifecycle rule
        expires tagged uploads sooner than untouched ones."""
        name, _, value = PROCESSED_TAG.partition("=")
        self._s3().put_object_tagging(
            Bucket=self.bucket, Key=key, Tagging={"TagSet": [{"Key": name, "Value": value}]}
        )

    def download_url(self, key: str, file_name: str, expires_s: int) -> str:
        disposition = f'attachment; filename="{file_name}"'
        url: str = self._s3().generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": key, "ResponseContentDisposition": disposition},
            ExpiresIn=expires_s,
        )
        return url
