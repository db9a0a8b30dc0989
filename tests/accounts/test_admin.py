import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admins_can_search_and_filter_users(verified_login, admin_user, shopper, courier):
    client = verified_login(admin_user)
    url = reverse("admin:accounts_user_changelist")

    found = client.get(url, {"q": "jo.shopper"})
    assert found.status_code == 200
    assert list(found.context["cl"].result_list) == [shopper]

    couriers = client.get(url, {"is_courier__exact": "1"})
    assert list(couriers.context["cl"].result_list) == [courier]


def test_admins_can_open_a_user_and_the_add_form(verified_login, admin_user, shopper):
    client = verified_login(admin_user)

    assert client.get(reverse("admin:accounts_user_change", args=[shopper.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_shoppers_cannot_reach_the_admin(client, shopper):
    client.force_login(shopper)

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


def test_an_admin_password_alone_does_not_open_the_admin(client, admin_user):
    client.force_login(admin_user)  # signed in, but no second factor in this session

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))
