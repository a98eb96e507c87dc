"""Starts the local stack's parts in order and stops them in reverse.

Nothing here imports chalicelib or functions/app.py at module level: the
PynamoDB models read table names and region on import, so the environment
must point at moto first (see infra.local.environment).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import IO, Any

import boto3
from chalice.config import Config
from chalice.local import LambdaContext, LocalGateway

from infra.local import environment, moto_transactions
from infra.local.app_threads import per_thread
from infra.local.journal import JournalingApp, ReplayResult, replay
from infra.local.mail import OutboxDrain, drainer, endpoint_path, verify_sender
from infra.local.moto_server import (
    LoopbackOnly,
    MotoServer,
    OneDynamoDBRequestAtATime,
    ShardIteratorExpiry,
    moto_app,
)
from infra.local.pump import StreamPump
from infra.local.server import FrontServer
from infra.local.settings import HOST, ROOT, LocalSettings
from infra.local.timer import Schedule, ScheduleTimer, schedules_of
from infra.local.uploads import UploadWatcher, allow_browser_uploads, ensure_buckets

log = logging.getLogger("laatu.local")

APP_FILE = ROOT / "functions" / "app.py"
STATIC_ROOT = ROOT / "static_site"
STREAM_FUNCTION = "stream_consumer"
IMPORT_FUNCTION = "upload_importer"
IMPORT_TIMEOUT_S = 900  # as in AWS: an import gets Lambda's longest run
LAMBDA_TIMEOUT_S = 30
LAMBDA_MEMORY_MB = 512


@dataclass(frozen=True)
class Running:
    settings: LocalSettings
    url: str
    moto_endpoint: str
    secret: str
    replayed: ReplayResult
    form_id: str
    form_version: int
    seeded_now: bool
    schedules: list[Schedule]
    startup_s: float


def load_app() -> ModuleType:
    """functions/app.py as Lambda imports it: a file, not part of a package."""
    spec = importlib.util.spec_from_file_location("laatu_app", APP_FILE)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {APP_FILE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _one_log_stream(app: Any) -> None:
    # Chalice gives its app logger a stdout handler of its own, for CloudWatch;
    # locally the app's lines belong in the stack's one stream, with times.
    app.log.handlers.clear()
    app.log.propagate = True


def _lock(settings: LocalSettings) -> IO[str]:
    """One stack per data dir: two would interleave their writes in one journal."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    handle = settings.lock_path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise SystemExit(f"another local stack is using {settings.data_dir}") from None
    return handle


def _context(function_name: str) -> Any:
    return LambdaContext(function_name, LAMBDA_MEMORY_MB, max_runtime_ms=LAMBDA_TIMEOUT_S * 1000)


@contextlib.contextmanager
def running(settings: LocalSettings) -> Iterator[Running]:
    """The whole stack, up and seeded, until the block ends."""
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        stack.enter_context(_lock(settings))
        try:
            front = FrontServer(HOST, settings.port, STATIC_ROOT)
        except OSError as exc:
            message = f"cannot listen on {HOST}:{settings.port} ({exc}); set LAATU_PORT"
            raise SystemExit(message) from None
        stack.callback(front.stop)  # releases the port if start-up fails

        moto_transactions.install()
        app = moto_app()
        replayed = replay(app, settings.journal_path)
        # The journal's lock is taken outside the DynamoDB one (see OneDynamoDBRequestAtATime).
        journal = JournalingApp(OneDynamoDBRequestAtATime(app), settings.journal_path)
        stack.callback(journal.close)
        moto = MotoServer(LoopbackOnly(journal))
        moto.start()
        stack.callback(moto.stop)
        secret = environment.apply(moto.endpoint, site_url=front.origin)
        # Where `laatu mail` finds moto's SES while the stack runs (the port changes).
        moto_file = endpoint_path(settings.data_dir)
        moto_file.write_text(moto.endpoint + "\n", "utf-8")
        stack.callback(moto_file.unlink, missing_ok=True)

        # Only now may chalicelib load: the environment points at moto.
        from chalicelib.adapters.models import EvaluationModel
        from chalicelib.adapters.tables import create_tables
        from infra.local.demo import seed
        from infra.local.demo_history import seed_history

        create_tables()
        s3 = boto3.client("s3")
        ensure_buckets(
            s3, (environment.UPLOADS_BUCKET, environment.EXPORTS_BUCKET), environment.REGION
        )
        origins = [front.origin, front.origin.replace("127.0.0.1", "localhost")]
        allow_browser_uploads(s3, environment.UPLOADS_BUCKET, origins)
        verify_sender(boto3.client("sesv2"), environment.MAIL_FROM)
        module = load_app()
        _one_log_stream(module.app)
        per_thread(module.app)  # before the front calls it from several threads
        config = Config.create(
            chalice_stage="local",
            app_name="laatu",
            lambda_timeout=LAMBDA_TIMEOUT_S,
            lambda_memory_size=LAMBDA_MEMORY_MB,
        )
        front.start(LocalGateway(module.app, config))
        stack.callback(front.stop)  # again, so requests in flight finish before moto stops

        table = boto3.client("dynamodb").describe_table(TableName=EvaluationModel.Meta.table_name)
        pump = StreamPump(
            boto3.client("dynamodbstreams"),
            table["Table"]["LatestStreamArn"],
            getattr(module, STREAM_FUNCTION),
            settings.dead_letter_dir,
            context=lambda: _context(STREAM_FUNCTION),
            write_lock=journal.write_lock,
        )
        pump.start()
        stack.callback(pump.stop)
        watcher = UploadWatcher(
            s3,
            environment.UPLOADS_BUCKET,
            getattr(module, IMPORT_FUNCTION),
            settings.dead_letter_dir,
            region=environment.REGION,
            context=lambda: LambdaContext(
                IMPORT_FUNCTION, LAMBDA_MEMORY_MB, max_runtime_ms=IMPORT_TIMEOUT_S * 1000
            ),
        )
        watcher.start()
        stack.callback(watcher.stop)
        expiry = ShardIteratorExpiry()
        expiry.start()
        stack.callback(expiry.stop)

        schedules = schedules_of(module.app)
        timer = ScheduleTimer(
            schedules, region=environment.REGION, context=lambda s: _context(s.name)
        )
        timer.start()
        stack.callback(timer.stop)
        outbox = OutboxDrain(drainer(module.root))
        outbox.start()
        stack.callback(outbox.stop)

        seeded = seed(front.origin, secret)
        seed_history(front.origin, secret, settings.data_dir)
        yield Running(
            settings=settings,
            url=front.origin + "/",
            moto_endpoint=moto.endpoint,
            secret=secret,
            replayed=replayed,
            form_id=seeded.form_id,
            form_version=seeded.version,
            seeded_now=seeded.created,
            schedules=schedules,
            startup_s=time.perf_counter() - started,
        )
        log.info("stopping")
