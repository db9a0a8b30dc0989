"""Password throttles: exponential waits per typed email and per network (config.ratelimit's "password").

Keyed by the email as typed (normalised), not by whether an account exists, so waits never reveal that.
Each attempt is counted *before* the password is checked, so guesses sent in parallel are all counted; a right
password forgets the email's count. Capped (BACKOFF_LIMITS["password"]["max_seconds"]): a stranger can slow
an owner down, never lock them out, and the owner's way round a wait is a password reset by email.
"""

from config.ratelimit import backoff_attempt, backoff_forget, backoff_settle

PASSWORD = "password"  # noqa: S105 -- the name of a limit


def _subjects(email: str, ip: str | None) -> list[str]:
    return [f"email:{email}", *([f"ip:{ip}"] if ip else [])]


def password_attempt(*, email: str, ip: str | None) -> int:
    """Count an attempt for this email from this network: 0 when the password may be checked now, else the
    seconds to wait (and nothing was counted)."""
    allowance = backoff_attempt(PASSWORD, *_subjects(email, ip))
    return 0 if allowance.allowed else allowance.retry_after


def password_succeeded(*, email: str, ip: str | None) -> None:
    """The password was right: the email starts again; the network only gets this attempt back."""
    backoff_settle(PASSWORD, forget=[f"email:{email}"], refund=[f"ip:{ip}"] if ip else [])


def password_throttle_clear(*, email: str) -> None:
    """An admin's reset, or a finished password reset: the email's waits are forgotten."""
    backoff_forget(PASSWORD, f"email:{email}")
