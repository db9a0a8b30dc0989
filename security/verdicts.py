"""What a typed code came to: the outcome, and the words and numbers for the person."""

import enum
from dataclasses import dataclass

from django_otp.models import Device


class CodeOutcome(enum.StrEnum):
    PASSED = "passed"
    WRONG = "wrong"
    MALFORMED = "malformed"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    USED = "used"
    TOO_MANY = "too_many"
    BACKOFF = "backoff"
    LOCKED = "locked"
    ENDED = "ended"


@dataclass(frozen=True)
class CodeVerdict:
    outcome: CodeOutcome
    message: str = ""
    tries_left: int = 0
    retry_after: int = 0
    device: Device | None = None

    @property
    def passed(self) -> bool:
        return self.outcome == CodeOutcome.PASSED
