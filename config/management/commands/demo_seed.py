from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_accounts_create
from delivery.demo import demo_orders_create
from orders.demo import demo_catalog_create


class Command(BaseCommand):
    help = "Create the demo accounts and catalog (DEBUG only) and print how to sign in."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data exists only with DEBUG on.")
        accounts = demo_accounts_create(password=settings.DEMO_PASSWORD)
        added = demo_catalog_create()
        if added:
            self.stdout.write(f"Demo catalog: {added} products added.")
        by_email = {user.email: user for user, _ in accounts}
        placed = demo_orders_create(
            shopper=by_email["shopper@example.com"],
            courier=by_email["courier@example.com"],
            admin=by_email["admin@example.com"],
        )
        if placed:
            self.stdout.write(f"Demo orders: {placed} placed for the shopper; one is out for delivery with a code.")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{settings.SHOP_NAME} demo accounts"))
        for user, created in accounts:
            role = "admin" if user.is_staff else "courier" if user.is_courier else "shopper"
            password = settings.DEMO_PASSWORD if created else "(unchanged since it was created)"
            self.stdout.write(f"  {role:<8} {user.email:<24} password: {password}")
        self.stdout.write("  The admin site asks for a code: pick the phone, press 'Get challenge', and read the")
        self.stdout.write("  code at /dev/outbox/. Every SMS, call and email is in var/outbox/ and on the console.")
        self.stdout.write(
            "  The courier's deliveries are at /courier/; the shopper's orders, with the code, at /orders/."
        )
        self.stdout.write("")
