"""Alerts in one voice: what happened, where, and the one next step that fits this account."""

from django.urls import reverse

from security.alerts import signin_codes_failed
from tests.helpers import run_pending_on_commit

TURN_ON = "turn on two-step verification"


def _quiet(mailoutbox):
    """Forget the alerts that setting the account up sent."""
    run_pending_on_commit()
    mailoutbox.clear()


def _only_alert(mailoutbox):
    run_pending_on_commit()
    (alert,) = mailoutbox
    return alert.body, alert.alternatives[0][0]


def test_a_2sv_user_whose_password_may_be_known_is_not_told_to_turn_2sv_on(rf, shopper, authenticator, mailoutbox):
    _quiet(mailoutbox)
    signin_codes_failed(user=shopper, request=rf.get("/", REMOTE_ADDR="81.2.69.160"))

    text, html = _only_alert(mailoutbox)
    assert TURN_ON not in text.lower() and TURN_ON not in html.lower()
    assert "two-step verification stopped them" in text and "Change your password now" in text
    assert "From: United Kingdom (81.2.69.160)" in text


def test_a_user_without_2sv_whose_password_may_be_known_is_told_to_turn_it_on(rf, shopper, mailoutbox):
    signin_codes_failed(user=shopper, request=rf.get("/", REMOTE_ADDR="81.2.69.160"))

    text, html = _only_alert(mailoutbox)
    assert TURN_ON in text.lower() and TURN_ON in html.lower()


def test_an_admins_2sv_reset_says_support_did_it_and_why_and_not_where_the_admin_was(
    verified_login, admin_user, shopper, authenticator, mailoutbox
):
    client = verified_login(admin_user)
    _quiet(mailoutbox)
    reason = "Identity checked by phone against order history, ticket 1234"

    client.post(
        reverse("admin:accounts_user_reset_two_step", args=[shopper.pk]), {"reason": reason}, REMOTE_ADDR="81.2.69.160"
    )

    text, html = _only_alert(mailoutbox)
    for body in (text, html):
        assert "Our support team did this" in body
        assert reason in body
        assert "If this was you, there's nothing to do" not in body
        assert "81.2.69.160" not in body and "From:" not in body and "United Kingdom" not in body
        assert "Turn two-step verification back on" in body


def test_other_alerts_to_a_user_without_2sv_do_not_send_them_to_their_2sv_methods(rf, shopper, mailoutbox):
    from security.alerts import security_record
    from security.models import SecurityEvent

    security_record(user=shopper, kind=SecurityEvent.Kind.PASSWORD_CHANGED, request=rf.get("/"))

    text, _html = _only_alert(mailoutbox)
    assert "check your two-step verification methods" not in text
    assert "change your password now" in text
