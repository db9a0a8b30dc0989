from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def messaging_provider_check(app_configs, **kwargs):
    """Production must send codes through a real provider, never print them."""
    problems = []
    backend = settings.MESSAGING_BACKEND
    if backend.endswith(("ConsoleBackend", "FileBackend", "LocmemBackend", "UnconfiguredBackend")):
        problems.append(
            checks.Warning(
                f"MESSAGING_BACKEND is {backend}: SMS and voice codes will not reach anyone.",
                hint="Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER.",
                id="messaging.W001",
            )
        )
    if not settings.SITE_URL.startswith("https://"):
        problems.append(
            checks.Warning(
                "SITE_URL is not https: links in messages and Twilio callbacks would travel in the clear.",
                id="messaging.W002",
            )
        )
    return problems
