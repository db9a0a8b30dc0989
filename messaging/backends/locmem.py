"""Keeps sent SMS and voice messages in memory, for tests (like Django's locmem email backend)."""

from messaging.backends.base import BaseBackend, Outgoing

outbox: list[Outgoing] = []


class LocmemBackend(BaseBackend):
    def send(self, outgoing: Outgoing) -> str:
        outbox.append(outgoing)
        return f"locmem-{outgoing.message_id}"
