"""Writes each SMS and voice message to its own file under OUTBOX_DIR, and echoes it to the console.

The embedded default: someone trying the demo reads their "SMS" there or at /dev/outbox/.
"""

from django.conf import settings
from django.utils import timezone

from messaging.backends.base import Outgoing
from messaging.backends.console import ConsoleBackend, format_outgoing


class FileBackend(ConsoleBackend):
    def send(self, outgoing: Outgoing) -> str:
        folder = settings.OUTBOX_DIR
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        name = f"{stamp}-{outgoing.channel}-{outgoing.to.lstrip('+')}-{outgoing.message_id}.txt"
        (folder / name).write_text(format_outgoing(outgoing), encoding="utf-8")
        super().send(outgoing)
        return name
