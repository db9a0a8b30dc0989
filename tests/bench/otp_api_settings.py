"""The benchmark's settings with the per-key verify limit out of the way (its check still runs on every call)."""

from tests.bench.settings import *  # noqa: F403
from tests.bench.settings import RATE_LIMITS

RATE_LIMITS = {**RATE_LIMITS, "otp_api_verify_per_key": [(60, 10**7)]}
