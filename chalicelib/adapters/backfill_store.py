"""Progress markers of one-off fills, one item per tenant and job."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.adapters.models import BackfillModel


def _pk(tenant: str) -> str:
    return f"{tenant}#BACKFILL"


@dataclass(frozen=True)
class BackfillProgress:
    cursor: str | None = None
    done: bool = False
    seen: int = 0
    filled: int = 0


class BackfillStore:
    def progress(self, tenant: str, job: str) -> BackfillProgress:
        try:
            item = BackfillModel.get(_pk(tenant), job, consistent_read=True)
        except BackfillModel.DoesNotExist:
            return BackfillProgress()
        return BackfillProgress(item.cursor, bool(item.done), int(item.seen), int(item.filled))

    def save(self, tenant: str, job: str, progress: BackfillProgress, now: str) -> None:
        BackfillModel(
            _pk(tenant),
            job,
            cursor=progress.cursor,
            done=progress.done,
            seen=progress.seen,
            filled=progress.filled,
            updated_at=now,
        ).save()
