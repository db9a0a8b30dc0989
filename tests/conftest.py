import contextlib
import os
import secrets
import shutil
import socket
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import translation

from messaging.backends import locmem
from tests.helpers import authenticator_for, delivery_code_sent_to, last_code_sent_to, postgresql_only

IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    """Catalogues are compiled (.mo files are built, never committed); under CI=true every real part must be there."""
    # A catalogue msgfmt refuses fails tests/test_translations.py by name instead of stopping every test here.
    with contextlib.chdir(settings.BASE_DIR), contextlib.suppress(CommandError):
        call_command("compilemessages", ignore_patterns=[".*", "var"], verbosity=0)
    if not IN_CI:
        return
    problems = []
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL under CI")
    elif not _reachable(database_url, 5432):
        problems.append(f"PostgreSQL is not reachable at {database_url}")
    if not redis_url:
        problems.append("REDIS_URL must be set under CI")
    elif not _reachable(redis_url, 6379):
        problems.append(f"Redis is not reachable at {redis_url}")
    if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
        problems.append("/usr/bin/chromium is missing (apt-get install chromium)")
    if problems:
        pytest.exit("CI is missing real parts:\n  " + "\n  ".join(problems), returncode=3)


def pytest_runtest_setup(item):
    """@pytest.mark.postgresql: for a whole test or file, what `postgresql_only()` is inside a helper."""
    if item.get_closest_marker("postgresql"):
        postgresql_only()


@pytest.fixture(autouse=True)
def _celery_in_process(request, settings):
    """Tasks run in the test's own process, unless the test starts a real worker (@pytest.mark.real_worker)."""
    from config.celery import app

    if request.node.get_closest_marker("real_worker"):
        yield
        return
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = was_eager


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language: one that activates another (as a request does) never leaks it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clean_cache():
    """Throttles and limits live in the cache; each test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return "correct horse battery staple"


@pytest.fixture
def make_user(db, password):
    from accounts.models import User

    def make(email: str, **fields):
        fields.setdefault("name", "Test Person")
        return User.objects.create_user(email, password, **fields)

    return make


@pytest.fixture
def shopper(make_user):
    return make_user("jo.shopper@example.com", name="Jo Shopper")


@pytest.fixture
def outsider(make_user):
    """A second shopper who must never see or change the first one's things."""
    return make_user("max.outsider@example.com", name="Max Outsider")


@pytest.fixture
def courier(make_user):
    """A courier with two-step verification on (couriers' pages require it): a phone, by text."""
    from security.methods import phone_add

    user = make_user("casey.courier@example.com", name="Casey Courier", is_courier=True)
    phone_add(user=user, number="+447911100555", channel="sms", primary=True, confirmed=True, request=None)
    return user


@pytest.fixture
def admin_user(make_user):
    return make_user("alex.admin@example.com", name="Alex Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def verified_login(client):
    """Sign a user in as if they had passed a code from their authenticator app (django-otp verified)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from security.codes import totp_secret
    from security.methods import authenticator_add

    def login(user):
        device = authenticator_add(user=user, secret=totp_secret(), primary=True, confirmed=True, request=None)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return login


@pytest.fixture
def artifacts_dir():
    path = settings.ARTIFACTS_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


@pytest.fixture
def code_sent_to(mailoutbox):
    return lambda destination: last_code_sent_to(destination, mailoutbox)


@pytest.fixture
def authenticator(shopper):
    """The shopper's authenticator app, played by pyotp (an independent TOTP implementation)."""
    return authenticator_for(shopper)


@pytest.fixture
def phone(shopper):
    from security.methods import phone_add

    return phone_add(user=shopper, number="+447911123456", channel="sms", primary=False, confirmed=True, request=None)


@pytest.fixture
def backup_codes(shopper, authenticator):
    from security.methods import backup_codes_create

    return backup_codes_create(user=shopper, confirmed=True, request=None)


# Orders and deliveries -------------------------------------------------------------------------------------


@pytest.fixture
def catalog(db):
    """Two categories: electronics (high-value by the default rule) and books (not)."""
    from orders.models import Category, Product

    electronics = Category.objects.create(name="Electronics", slug="electronics")
    books = Category.objects.create(name="Books", slug="books")
    return {
        "tablet": Product.objects.create(
            category=electronics,
            name="Pebble tablet",
            slug="pebble-tablet",
            summary="A tablet",
            price=Decimal("449.00"),
        ),
        "cable": Product.objects.create(
            category=electronics, name="USB cable", slug="usb-cable", summary="A cable", price=Decimal("9.00")
        ),
        "book": Product.objects.create(
            category=books, name="The Quiet Lock", slug="the-quiet-lock", summary="A book", price=Decimal("16.99")
        ),
    }


@pytest.fixture
def place_order(catalog):
    """Place an order for `user` as checkout would: a saved address (postcode) and card, then the rule."""
    from accounts.models import Address, PaymentCard
    from orders.cart import CartLine
    from orders.checkout import order_place

    def place(user, *product_keys, postcode="N1 9EZ", quantity=1):
        address = Address.objects.create(
            user=user, full_name=user.name, line1="1 High Street", city="London", postcode=postcode
        )
        card = PaymentCard.objects.create(
            user=user, brand="Visa", last4="4242", exp_month=12, exp_year=2040, name_on_card=user.name
        )
        lines = [CartLine(catalog[key], quantity) for key in product_keys or ("tablet",)]
        order, _ = order_place(
            user=user, lines=lines, address=address, card=card, checkout_token=secrets.token_urlsafe(32)
        )
        return order

    return place


@pytest.fixture
def send_out(admin_user, mailoutbox):
    """Take an order's shipment through the admin's steps to out for delivery with `courier`; returns the shipment
    and the code the shopper was emailed (None when the order needs none)."""
    from delivery.shipments import shipment_assign_courier, shipment_mark_shipped, shipment_send_out

    def out(order, courier):
        shipment_id = order.shipment.pk
        shipment_assign_courier(shipment_id=shipment_id, courier=courier, actor=admin_user)
        shipment_mark_shipped(shipment_id=shipment_id, actor=admin_user)
        shipment = shipment_send_out(shipment_id=shipment_id, actor=admin_user)
        code = delivery_code_sent_to(order.user.email, mailoutbox) if shipment.needs_code else None
        return shipment, code

    return out
