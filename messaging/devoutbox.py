"""Reading the embedded default's outbox folder for /dev/outbox/ (DEBUG only)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings


@dataclass(frozen=True)
class OutboxEntry:
    name: str
    headers: dict[str, str]
    body: str
    written_at: datetime


def outbox_files(*, limit: int) -> list[OutboxEntry]:
    folder = settings.OUTBOX_DIR
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.txt"), key=lambda path: path.name, reverse=True)[:limit]
    entries = []
    for path in files:
        head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        headers = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        written_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        entries.append(OutboxEntry(name=path.name, headers=headers, body=body.strip(), written_at=written_at))
    return entries
