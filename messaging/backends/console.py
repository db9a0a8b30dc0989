"""Prints SMS and voice messages to standard output (development only: it shows the code)."""

import sys

from messaging.backends.base import BaseBackend, Outgoing


def format_outgoing(outgoing: Outgoing) -> str:
    label = "SMS" if outgoing.channel == "sms" else "Voice call"
    return f"To: {outgoing.to}\nChannel: {label}\nLanguage: {outgoing.language}\n\n{outgoing.text}\n"


class ConsoleBackend(BaseBackend):
    def send(self, outgoing: Outgoing) -> str:
        sys.stdout.write(f"\n----- {format_outgoing(outgoing)}-----\n")
        sys.stdout.flush()
        return f"console-{outgoing.message_id}"
