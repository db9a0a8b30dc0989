import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from orders.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(settings):
    settings.DEBUG = True
    call_command("demo_seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False


def test_the_shop_front_lists_every_product_on_sale_with_its_price(client, catalog):
    hidden = Product.objects.get(slug="oak-raised-bed")
    hidden.is_active = False
    hidden.save()

    html = client.get("/").content.decode()

    assert "Aurora noise-cancelling headphones" in html
    assert "£279.00" in html
    assert "Oak raised bed" not in html


def test_a_category_shows_only_its_products(client, catalog):
    html = client.get("/", {"category": "jewellery"}).content.decode()

    assert "Solstice gold hoop earrings" in html
    assert "Pebble 11 tablet" not in html
    assert client.get("/", {"category": "nope"}).status_code == 404


def test_the_product_page_shows_the_product_and_hides_what_is_off_sale(client, catalog):
    product = Product.objects.get(slug="pebble-11-tablet")
    assert "£449.00" in client.get(product.get_absolute_url()).content.decode()

    product.is_active = False
    product.save()
    assert client.get(product.get_absolute_url()).status_code == 404


def test_the_shop_front_query_count_is_flat(client, catalog):
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for number in range(30):
        Product.objects.create(
            category_id=Product.objects.first().category_id,
            name=f"Extra {number}",
            slug=f"extra-{number}",
            summary="x",
            price=1,
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/")

    assert len(many) == len(few)


def test_demo_seed_creates_the_contract_accounts_once(settings, capsys):
    settings.DEBUG = True
    call_command("demo_seed")
    call_command("demo_seed")
    out = capsys.readouterr().out

    emails = set(User.objects.values_list("email", flat=True))
    assert emails == {"shopper@example.com", "courier@example.com", "admin@example.com"}
    admin, courier = (
        User.objects.get(email="admin@example.com"),
        User.objects.get(email="courier@example.com"),
    )
    assert admin.is_staff and admin.is_superuser and courier.is_courier
    assert admin.check_password(settings.DEMO_PASSWORD)
    assert "shopper@example.com" in out and settings.DEMO_PASSWORD in out
    assert Product.objects.count() == 12


def test_demo_seed_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DEBUG"):
        call_command("demo_seed")
    assert not User.objects.exists()
