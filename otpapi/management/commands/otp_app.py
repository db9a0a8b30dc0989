"""Make an application for the OTP API and its first access key; rotate or revoke keys; list applications."""

from django.core.management.base import BaseCommand, CommandError

from otpapi.keys import access_key_create, access_key_revoke, access_key_rotate, application_create
from otpapi.models import AccessKey, OtpApplication


class Command(BaseCommand):
    help = "OTP API applications: create NAME [--domain D] | rotate KEY_ID | revoke KEY_ID | list"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="a new application and its first access key")
        create.add_argument("name")
        create.add_argument("--domain", default="", help='for the "@domain #code" line of the SMS')
        rotate = commands.add_parser("rotate", help="a new key for the key's application; the old one revoked")
        rotate.add_argument("key_id")
        revoke = commands.add_parser("revoke", help="revoke one access key")
        revoke.add_argument("key_id")
        commands.add_parser("list", help="applications and their active key ids (never a secret)")

    def handle(self, *args, action: str, **options):
        if action == "create":
            application = application_create(name=options["name"], domain=options["domain"])
            key, secret = access_key_create(application=application)
            self.stdout.write(f"Application {application.name!r} made. The secret is shown this once.")
            self.stdout.write(f"{application.application_id} {key.key_id} {secret}")
        elif action == "rotate":
            key, secret = access_key_rotate(key=self._key(options["key_id"]))
            self.stdout.write(f"Key {options['key_id']} revoked. The new secret is shown this once.")
            self.stdout.write(f"{key.application.application_id} {key.key_id} {secret}")
        elif action == "revoke":
            access_key_revoke(key=self._key(options["key_id"]))
            self.stdout.write(f"Key {options['key_id']} revoked.")
        else:
            for application in OtpApplication.objects.prefetch_related("access_keys"):
                keys = [key.key_id for key in application.access_keys.all() if key.is_active()]
                state = "active" if application.active else "inactive"
                self.stdout.write(f"{application.application_id} {application.name!r} {state} keys: {' '.join(keys)}")

    def _key(self, key_id: str) -> AccessKey:
        key = AccessKey.objects.select_related("application").filter(key_id=key_id, revoked_at__isnull=True).first()
        if key is None:
            raise CommandError(f"No active access key {key_id}.")
        return key
