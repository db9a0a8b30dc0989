"""Benchmark: the courier's handoff verification on PostgreSQL (and Redis for limits and the broker).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deadbolt_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python -m tests.bench.handoff --shipments 200

Sends N shipments out for delivery, then, in one run and one process, prints the median time and the SQL queries
of: a wrong code (counted, row locked), the right code (delivered, shopper told through the outbox), and the
whole handoff request as the courier's phone makes it (session, CSRF, view, redirect).
"""

import argparse
import os
import statistics
import time

from tests.helpers import wrong_code

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.settings"


def setup(count: int):
    from decimal import Decimal

    from accounts.models import Address, PaymentCard, User
    from delivery.models import Shipment
    from delivery.shipments import shipment_assign_courier, shipment_mark_shipped, shipment_send_out
    from orders.cart import CartLine
    from orders.checkout import order_place
    from orders.models import Category, Order, Product

    Shipment.objects.filter(order__user__email__startswith="bench-handoff").delete()
    Order.objects.filter(user__email__startswith="bench-handoff").delete()
    User.objects.filter(email__startswith="bench-handoff").delete()
    shopper = User.objects.create_user("bench-handoff-shopper@example.com", "x" * 20, name="Bench Shopper")
    courier = User.objects.create_user("bench-handoff-courier@example.com", "x" * 20, name="Bench", is_courier=True)
    admin = User.objects.create_user("bench-handoff-admin@example.com", "x" * 20, name="Bench Admin", is_staff=True)
    category, _ = Category.objects.get_or_create(slug="electronics", defaults={"name": "Electronics"})
    product, _ = Product.objects.get_or_create(
        slug="bench-tablet",
        defaults={"category": category, "name": "Bench tablet", "summary": "-", "price": Decimal(449)},
    )
    address = Address.objects.create(
        user=shopper, full_name="Bench Shopper", line1="1 Road", city="X", postcode="N1 9EZ"
    )
    card = PaymentCard.objects.create(
        user=shopper, brand="Visa", last4="4242", exp_month=1, exp_year=2040, name_on_card="B"
    )
    shipments = []
    for number in range(count):
        order, _ = order_place(
            user=shopper, lines=[CartLine(product, 1)], address=address, card=card, checkout_token=f"bench-{number}"
        )
        shipment_assign_courier(shipment_id=order.shipment.pk, courier=courier, actor=admin)
        shipment_mark_shipped(shipment_id=order.shipment.pk, actor=admin)
        shipment = shipment_send_out(shipment_id=order.shipment.pk, actor=admin)
        shipments.append((shipment.pk, shipment.code_for_owner()))
    return courier, shipments


def measure(call, **arguments) -> tuple[float, int, object]:
    """Run `call(**arguments)` once: milliseconds, SQL queries, and what it returned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = call(**arguments)
        elapsed = time.perf_counter() - started
    return elapsed * 1000, len(captured), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipments", type=int, default=200)
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from config.celery import app
    from delivery.handoff import HandoffOutcome, shipment_mark_delivered
    from tests.bench.signin import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    call_command("migrate", verbosity=0)
    cache.clear()
    courier, shipments = setup(arguments.shipments * 2)
    by_function, by_request = shipments[: arguments.shipments], shipments[arguments.shipments :]

    wrong, right = [], []
    for shipment_id, code in by_function:
        cache.clear()  # one wrong code per shipment; the per-courier pause is not what is measured
        bad = wrong_code(code)
        wrong.append(measure(shipment_mark_delivered, shipment_id=shipment_id, courier=courier, code=bad))
        right.append(measure(shipment_mark_delivered, shipment_id=shipment_id, courier=courier, code=code))
        assert right[-1][2].outcome == HandoffOutcome.DELIVERED, right[-1][2]

    client = Client()
    client.force_login(courier)
    requests = []
    for shipment_id, code in by_request:
        requests.append(measure(client.post, path=f"/courier/{shipment_id}/", data={"code": code}))
        assert requests[-1][2].status_code == 302, requests[-1][2].status_code
    app.control.purge()  # the "delivered" notices queued for a worker that this benchmark does not run

    def line(name, samples):
        times, queries, _results = zip(*samples, strict=True)
        print(
            f"  {name:<34} median {statistics.median(times):6.2f} ms   p90 "
            f"{statistics.quantiles(times, n=10)[-1]:6.2f} ms   queries {statistics.median(queries):.0f}"
        )

    print(f"Handoff verification, {arguments.shipments} shipments each, PostgreSQL + Redis, one process:")
    line("wrong code (counted, row locked)", wrong)
    line("right code (delivered, outbox)", right)
    line("whole POST /courier/<id>/", requests)


if __name__ == "__main__":
    main()
