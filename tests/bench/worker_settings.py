"""The benchmark worker's settings: the benchmark's, with the Twilio backend its environment names."""

import os

from tests.bench.settings import *  # noqa: F403

MESSAGING_BACKEND = os.environ["MESSAGING_BACKEND"]
