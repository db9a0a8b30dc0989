from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Channel, FailureReason, Message, Status
from messaging.outbox import message_queue

pytestmark = pytest.mark.django_db
CODE = "482913"


@pytest.fixture
def failed_message():
    message = message_queue(
        channel=Channel.SMS,
        destination="+447911123456",
        kind="code",
        language="en-GB",
        context={"code": CODE, "purpose": "signin"},
        expires_in=600,
    )
    Message.objects.filter(pk=message.pk).update(
        status=Status.FAILED, failure_reason=FailureReason.PROVIDER_ERROR, attempts=1
    )
    return message


def test_admins_filter_messages_and_never_see_a_code(verified_login, admin_user, failed_message):
    client = verified_login(admin_user)
    changelist = reverse("admin:messaging_message_changelist")

    listing = client.get(changelist, {"status__exact": "failed", "channel__exact": "sms", "kind": "code"})
    detail = client.get(reverse("admin:messaging_message_change", args=[failed_message.pk]))

    assert list(listing.context["cl"].result_list) == [failed_message]
    assert detail.status_code == 200
    for response in (listing, detail):
        html = response.content.decode()
        assert CODE not in html
        assert failed_message.payload[:20] not in html  # not even encrypted


def test_admins_can_retry_a_failed_message_that_is_still_worth_sending(
    verified_login, admin_user, failed_message, sms_outbox, django_capture_on_commit_callbacks
):
    client = verified_login(admin_user)
    expired = message_queue(
        channel=Channel.SMS,
        destination="+447911123457",
        kind="code",
        language="en-GB",
        context={"code": "111111"},
        expires_in=600,
    )
    Message.objects.filter(pk=expired.pk).update(status=Status.FAILED, expires_at=timezone.now() - timedelta(1))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:messaging_message_changelist"),
            {"action": "retry", "_selected_action": [failed_message.pk, expired.pk]},
            follow=True,
        )

    assert "1 message queued again. 1 could not be retried" in response.content.decode()
    failed_message.refresh_from_db()
    assert failed_message.status == Status.SENT
    assert [sent.to for sent in sms_outbox] == ["+447911123456"]


def test_shoppers_cannot_see_messages(client, shopper):
    client.force_login(shopper)

    assert client.get(reverse("admin:messaging_message_changelist")).status_code == 302


def test_the_dev_outbox_exists_only_with_debug(client, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.OUTBOX_DIR = tmp_path
    settings.MESSAGING_BACKEND = "messaging.backends.file.FileBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message_queue(
            channel=Channel.SMS,
            destination="+447911123456",
            kind="code",
            language="en-GB",
            context={"code": CODE, "purpose": "signin"},
            expires_in=600,
        )

    assert client.get("/dev/outbox/").status_code == 404

    settings.DEBUG = True
    html = client.get("/dev/outbox/").content.decode()
    assert "+447911123456" in html
    assert f"Deadbolt code to sign in: {CODE}." in html
    assert len(list(tmp_path.glob("*-sms-447911123456-*.txt"))) == 1  # one file per message, named for its number


@pytest.mark.parametrize(
    "state",
    [
        {"status": Status.UNKNOWN},  # a 500 or a read timeout: it may have reached the phone
        {"status": Status.FAILED, "failure_reason": FailureReason.UNDELIVERED, "provider_id": "SM" + "a" * 32},
        {"status": Status.SENT, "provider_id": "SM" + "b" * 32},
    ],
)
def test_admins_cannot_retry_a_message_that_may_have_been_delivered(
    verified_login, admin_user, failed_message, sms_outbox, django_capture_on_commit_callbacks, state
):
    client = verified_login(admin_user)
    Message.objects.filter(pk=failed_message.pk).update(**state)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:messaging_message_changelist"),
            {"action": "retry", "_selected_action": [failed_message.pk]},
            follow=True,
        )

    html = response.content.decode()
    assert "0 messages queued again. 1 could not be retried" in html
    assert "unknown or that the provider accepted may already have reached the person" in html
    failed_message.refresh_from_db()
    assert failed_message.status == state["status"]
    assert sms_outbox == []


def test_admins_can_retry_a_message_refused_before_sending(
    verified_login, admin_user, failed_message, sms_outbox, django_capture_on_commit_callbacks
):
    client = verified_login(admin_user)
    Message.objects.filter(pk=failed_message.pk).update(
        failure_reason=FailureReason.RATE_LIMITED_DESTINATION, attempts=0
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:messaging_message_changelist"),
            {"action": "retry", "_selected_action": [failed_message.pk]},
        )

    assert [sent.to for sent in sms_outbox] == ["+447911123456"]
