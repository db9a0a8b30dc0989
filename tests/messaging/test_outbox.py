"""The outbox: written in the caller's transaction, sent after commit, content never in the clear."""

import json
import logging
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.template import TemplateDoesNotExist
from django.utils import timezone

from config.crypto import decrypt_text
from messaging.models import Channel, FailureReason, Message, Status
from messaging.outbox import message_queue
from messaging.sending import message_deliver, messages_sweep

pytestmark = pytest.mark.django_db
CODE = "482913"


def queue_sms(to="+447911123456", *, ip=None, **extra):
    return message_queue(
        channel=Channel.SMS,
        destination=to,
        kind="code",
        language="en-GB",
        context={"code": CODE, "purpose": "signin"},
        expires_in=600,
        request_ip=ip,
        **extra,
    )


def test_a_message_is_sent_only_after_the_callers_transaction_commits(django_capture_on_commit_callbacks, sms_outbox):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue_sms()
        assert sms_outbox == []  # nothing leaves before commit
    assert len(callbacks) == 1

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [sent.to for sent in sms_outbox] == ["+447911123456"]
    assert f"Deadbolt code to sign in: {CODE}." in sms_outbox[0].text
    assert message.payload == ""  # wiped once sent


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks, sms_outbox):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_sms()
        raise RuntimeError("the caller failed")
    assert callbacks == []
    assert sms_outbox == []
    assert not Message.objects.exists()


def test_the_code_is_never_stored_in_the_clear(django_capture_on_commit_callbacks):
    message = queue_sms()

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM messaging_message WHERE id = %s", [message.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert CODE not in row
    assert json.loads(decrypt_text(message.payload))["code"] == CODE


def test_the_task_carries_only_the_message_id(django_capture_on_commit_callbacks, monkeypatch):
    from messaging import tasks

    published = []
    monkeypatch.setattr(tasks.deliver_message, "apply_async", lambda args, **kw: published.append((args, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms()

    assert published == [((message.pk,), {"countdown": None, "retry": False, "queue": "codes"})]


@pytest.mark.parametrize(
    ("kind", "queue"),
    [("code", "codes"), ("delivery_code", "codes"), ("security_alert", "bulk"), ("delivery_update", "bulk")],
)
def test_codes_have_a_queue_of_their_own_that_bulk_messages_never_delay(
    django_capture_on_commit_callbacks, monkeypatch, kind, queue
):
    from messaging import tasks

    published = []
    monkeypatch.setattr(tasks.deliver_message, "apply_async", lambda args, **kw: published.append(kw["queue"]))
    with django_capture_on_commit_callbacks(execute=True):
        message_queue(channel=Channel.SMS, destination="+447911123456", kind=kind, language="en-GB", context={})

    assert published == [queue]


def test_a_broker_outage_leaves_the_message_queued_and_the_sweeper_sends_it(
    django_capture_on_commit_callbacks, monkeypatch, settings, sms_outbox, caplog
):
    from messaging import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(tasks.deliver_message, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms()  # the caller's request still succeeds
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert "stays queued, broker unavailable" in caplog.text

    monkeypatch.undo()
    settings.MESSAGING_SWEEP_GRACE_SECONDS = 0
    assert messages_sweep()["republished"] == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(sms_outbox) == 1


def test_a_duplicate_delivery_sends_nothing_more(django_capture_on_commit_callbacks, sms_outbox):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms()
    message_deliver(message_id=message.pk)
    message_deliver(message_id=message.pk)

    assert len(sms_outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_message_that_expired_while_queued_is_not_sent(sms_outbox):
    message = queue_sms()
    Message.objects.filter(pk=message.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.failure_reason, message.payload) == (Status.FAILED, FailureReason.EXPIRED, "")
    assert sms_outbox == []
    assert "Ask for a new one" in message.failure_text


def test_a_message_stuck_in_sending_becomes_unknown_and_is_never_resent(settings, sms_outbox):
    message = queue_sms()
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING,
        updated_at=timezone.now() - timedelta(seconds=settings.MESSAGING_SENDING_STALE_SECONDS + 1),
    )

    assert messages_sweep()["stuck"] == 1
    message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == Status.UNKNOWN
    assert sms_outbox == []


def test_the_sweeper_does_not_republish_what_it_just_republished(settings, monkeypatch):
    from messaging import tasks

    published = []
    monkeypatch.setattr(tasks.deliver_message, "apply_async", lambda args, **kw: published.append(args))
    settings.MESSAGING_SWEEP_GRACE_SECONDS = 30
    message = queue_sms()
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=60))

    messages_sweep()
    messages_sweep()

    assert published == [(message.pk,)]


def test_email_goes_out_with_text_and_html(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        message_queue(
            channel=Channel.EMAIL,
            destination="jo@example.com",
            kind="code",
            language="en-US",
            context={"code": CODE, "purpose": "step_up:change_email"},
            expires_in=600,
        )

    (email,) = mailoutbox
    assert email.to == ["jo@example.com"]
    assert email.subject == "Your Deadbolt code to change your email"
    assert CODE in email.body and "Don't share this code." in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and CODE in html and "Don't share this code." in html


def test_an_unknown_kind_fails_in_the_caller():
    with pytest.raises(TemplateDoesNotExist):
        message_queue(channel=Channel.SMS, destination="+447911123456", kind="nope", language="en-US")


def test_the_code_never_reaches_the_logs(django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        queue_sms()
        queue_sms("+19005550100")  # refused

    assert caplog.records
    assert CODE not in caplog.text
