"""An email backend for the embedded default: one readable text file per email, echoed to the console."""

import sys

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class OutboxFileEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = settings.OUTBOX_DIR
        folder.mkdir(parents=True, exist_ok=True)
        for email in email_messages:
            to = ", ".join(email.to)
            text = f"To: {to}\nChannel: Email\nSubject: {email.subject}\nFrom: {email.from_email}\n\n{email.body}\n"
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            safe_to = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in email.to[0])
            (folder / f"{stamp}-email-{safe_to}.txt").write_text(text, encoding="utf-8")
            sys.stdout.write(f"\n----- {text}-----\n")
        sys.stdout.flush()
        return len(email_messages)
