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


def test_the_user_admin_shows_methods_and_events_but_no_secret(verified_login, admin_user, shopper):
    from security.codes import totp_secret
    from security.events import event_record
    from security.methods import authenticator_add, backup_codes_create, phone_add

    secret = totp_secret()
    authenticator_add(user=shopper, secret=secret, primary=True, confirmed=True, request=None)
    phone_add(user=shopper, number="+447911123456", channel="sms", primary=False, confirmed=True, request=None)
    codes = backup_codes_create(user=shopper, confirmed=True, request=None)
    event_record(user=shopper, kind="two_step_on")
    client = verified_login(admin_user)

    html = client.get(reverse("admin:accounts_user_change", args=[shopper.pk])).content.decode()

    assert "Authenticator apps" in html and "Phones" in html and "•••• 3456" in html
    assert "Two-step verification turned on" in html
    assert secret not in html and "+447911123456" not in html
    assert not any(code in html for code in codes)


def test_the_security_log_is_read_only(verified_login, admin_user, shopper):
    from security.events import event_record

    event = event_record(user=shopper, kind="two_step_off")
    client = verified_login(admin_user)

    listing = client.get(reverse("admin:security_securityevent_changelist"), {"kind__exact": "two_step_off"})
    assert list(listing.context["cl"].result_list) == [event]
    assert (
        client.post(reverse("admin:security_securityevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_an_admin_resets_a_locked_out_users_2sv_with_a_reason(
    verified_login, admin_user, shopper, authenticator, mailoutbox
):
    from security.methods import two_step_summary
    from security.models import SecurityEvent
    from tests.helpers import run_pending_on_commit

    client = verified_login(admin_user)
    url = reverse("admin:accounts_user_reset_two_step", args=[shopper.pk])
    assert "Reset it" in client.get(reverse("admin:accounts_user_change", args=[shopper.pk])).content.decode()

    refused = client.post(url, {"reason": ""})
    assert "This field is required." in refused.content.decode()
    assert two_step_summary(shopper).enabled

    client.post(url, {"reason": "Identity checked by phone against order history, ticket 1234"})

    assert not two_step_summary(shopper).enabled
    event = SecurityEvent.objects.get(user=shopper, kind=SecurityEvent.Kind.TWO_STEP_OFF)
    assert event.detail == {
        "by_admin": admin_user.email,
        "reason": "Identity checked by phone against order history, ticket 1234",
    }
    run_pending_on_commit()
    assert "Two-step verification was turned off for your account" in [m.subject for m in mailoutbox]


def test_a_shopper_cannot_reach_the_2sv_reset(client, shopper, authenticator):
    client.force_login(shopper)

    response = client.post(reverse("admin:accounts_user_reset_two_step", args=[shopper.pk]), {"reason": "x" * 20})

    assert response.status_code == 302
    from security.methods import two_step_summary

    assert two_step_summary(shopper).enabled
