"""Issue 12: nobody else can lock a shopper out, or flood their phone and inbox.

Each of the issue's twelve attacks, played as an attacker would play it (the test client, real sessions; real
Redis and PostgreSQL when configured; threads for the races), with what the issue promises: the owner still gets
in, and an inbox or phone gets at most the cap.
"""

import html
import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.signin import PENDING_KEY
from config.ratelimit import backoff_peek
from messaging.backends import locmem
from messaging.models import Message, Status
from security.alerts import not_me_token
from security.methods import phone_add
from security.models import (
    BackupCodeDevice,
    Challenge,
    FailureStreak,
    PasswordResetRequest,
    RecoveryRequest,
    SecurityEvent,
)
from security.trusted_devices import BROWSER_COOKIE, BROWSER_SALT
from security.vocabulary import StepUpAction
from tests.hashers import CountingMD5PasswordHasher
from tests.helpers import (
    code_page_open,
    last_code_sent_to,
    postgresql_only,
    run_pending_on_commit,
    step_up_grant,
    wrong_code,
)

pytestmark = pytest.mark.django_db

SIGNIN, CODE, RESET = "/account/signin/", "/account/signin/code/", "/account/password-reset/"
SECURITY, STEP_UP, ADMIN_LOGIN = "/account/security/", "/account/verify/", "/admin/login/"
NUMBER = "+447911123456"
NEW = "fresh vivid harbour 93"
CAP_WORDS = "We've sent several codes recently. Wait"
SENT_WORDS = ("We've texted a 6-digit code", "We've emailed a 6-digit code")


# ---------------------------------------------------------------------------------------------- helpers


def text(response) -> str:
    """The page as a person reads it (entities decoded), without the per-request CSRF token."""
    page = html.unescape(response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def gist(response) -> str:
    """What a failed assertion should show: the status and the page's alerts and errors, not the whole page."""
    page = text(response)
    notes = re.findall(r'class="(?:alert[^"]*|errorlist[^"]*|field__error[^"]*)"[^>]*>(.*?)</', page, re.S)
    return f"{response.status_code} {response.headers.get('Location', '')} {[n.strip() for n in notes]}"


def password_step(client, email, password):
    return client.post(SIGNIN, {"email": email, "password": password})


def signed_in_as(client) -> int | None:
    response = client.get(SECURITY)
    return response.context["account"].pk if response.status_code == 200 else None


def codes_queued_to(destination: str) -> int:
    """Codes that really went (or will go) to `destination`: queued rows, not refused ones."""
    return Message.objects.filter(destination=destination, kind="code").exclude(status=Status.FAILED).count()


def codes_received_by(destination: str, mailoutbox) -> int:
    """Codes the person holds: what the SMS/voice backend and the mail backend delivered to them."""
    run_pending_on_commit()
    texts = [m for m in locmem.outbox if m.to == destination and re.search(r"\b\d{6}\b", m.text)]
    emails = [m for m in mailoutbox if destination in m.to and "code" in m.subject.lower()]
    return len(texts) + len(emails)


def streak(user) -> int:
    row = FailureStreak.objects.filter(user=user).first()
    return row.failures_in_a_row if row else 0


def sign_in_with_emailed_code(email, password, mailoutbox, client=None) -> Client:
    """A browser the account does not know: the password, then the code emailed on arrival at the code step."""
    run_pending_on_commit()  # what was asked for before (a reset task, say) is sent before this code
    client = client or Client()
    assert password_step(client, email, password).headers["Location"] == CODE
    client.get(CODE)
    response = client.post(CODE, {"do": "verify", "code": last_code_sent_to(email, mailoutbox)})
    assert response.status_code == 302 and response.headers["Location"] == "/", gist(response)
    return client


def primary_phone(user, number=NUMBER):
    return phone_add(user=user, number=number, channel="sms", primary=True, confirmed=True, request=None)


def backup_device(user):
    return BackupCodeDevice.objects.get(user=user)


def in_parallel(count: int, work) -> list:
    """Run `work(n)` in `count` threads released together, each on its own database connection."""
    from django.db import connections

    postgresql_only()
    start, results, errors = threading.Barrier(count), [None] * count, []

    def run(n):
        try:
            start.wait(timeout=10)
            results[n] = work(n)
        except Exception as error:  # a crash is not an acceptable answer either
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


# --------------------------------------------------- 1. anonymous reset codes never count against the owner


def test_reset_codes_from_strangers_never_lock_the_owner_out(shopper, password, mailoutbox):
    with time_machine.travel(timezone.now(), tick=True) as traveller:
        for _round in range(4):  # four rounds of "Forgot password", five wrong codes each, from new browsers
            stranger = Client()
            asked = stranger.post(RESET, {"email": shopper.email}, follow=True)
            assert "we've emailed it a 6-digit code" in text(asked)  # the round really happened
            code = last_code_sent_to(shopper.email, mailoutbox)
            for _ in range(5):
                answer = stranger.post(RESET, {"code": wrong_code(code)})
            assert "Too many wrong tries for this code." in text(answer)
            traveller.shift(timedelta(minutes=11))  # past the stranger share's 10-minute window

        for _ in range(10):  # and a flood of requests right before the owner signs in
            Client().post(RESET, {"email": shopper.email})

        assert streak(shopper) == 0
        assert not SecurityEvent.objects.filter(user=shopper, kind="code_failed", detail__purpose="signin").exists()
        owner = sign_in_with_emailed_code(shopper.email, password, mailoutbox)  # a new browser, the owner's code
        assert signed_in_as(owner) == shopper.pk


def test_an_admins_two_step_reset_clears_every_counter(
    client, shopper, password, authenticator, admin_user, verified_login, mailoutbox, settings
):
    FailureStreak.objects.create(
        user=shopper, failures_in_a_row=settings.SECURITY_ACCOUNT_LOCK_AFTER_FAILURES, last_failure_at=timezone.now()
    )
    guesser = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(10):
        password_step(guesser, shopper.email, "not the password")
    assert not backoff_peek("password", f"email:{shopper.email}").allowed  # the guesser made the email wait

    admin = verified_login(admin_user)
    url = reverse("admin:accounts_user_reset_two_step", args=[shopper.pk])
    done = admin.post(url, {"reason": "Identity checked by phone against the order history, ticket #1234."})
    assert done.status_code == 302, gist(done)

    assert streak(shopper) == 0
    assert backoff_peek("password", f"email:{shopper.email}").allowed
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.COUNTERS_CLEARED).exists()
    owner = sign_in_with_emailed_code(shopper.email, password, mailoutbox)
    assert signed_in_as(owner) == shopper.pk


def test_at_the_ceiling_the_owner_still_gets_in_by_a_trusted_browser_or_a_reset_with_2sv(
    shopper, password, authenticator, backup_codes, mailoutbox, settings
):
    ceiling = settings.SECURITY_ACCOUNT_LOCK_AFTER_FAILURES
    owners_browser = Client()
    password_step(owners_browser, shopper.email, password)
    owners_browser.get(CODE)
    owners_browser.post(CODE, {"do": "verify", "code": authenticator.app.now(), "trust": "on"})
    owners_browser.post("/account/signout/")
    FailureStreak.objects.update_or_create(
        user=shopper,
        defaults={"failures_in_a_row": ceiling - 1, "last_failure_at": timezone.now() - timedelta(days=1)},
    )

    # Someone with the password types the last wrong code: codes pause on new browsers, and the owner is told.
    thief = Client()
    password_step(thief, shopper.email, password)
    thief.get(CODE)
    thief.post(CODE, {"do": "verify", "code": "000000"})
    assert streak(shopper) == ceiling
    FailureStreak.objects.filter(user=shopper).update(last_failure_at=timezone.now() - timedelta(days=1))
    device = backup_device(shopper)
    thief.get(CODE + f"?method={device.persistent_id}")
    refused = thief.post(CODE + f"?method={device.persistent_id}", {"do": "verify", "code": backup_codes[0]})
    assert "codes are paused on new browsers" in text(refused)
    assert signed_in_as(thief) is None
    run_pending_on_commit()
    alert = next(m for m in mailoutbox if shopper.email in m.to and "reset your password by email" in m.body)
    assert "https://shop.example.com/account/password-reset/" in alert.body

    # The owner's trusted browser still gets in.
    assert password_step(owners_browser, shopper.email, password).headers["Location"] == "/"
    assert signed_in_as(owners_browser) == shopper.pk

    # And on a new browser, a password reset by email plus a 2SV method gets in too, and unpauses codes.
    resetter = Client()
    resetter.post(RESET, {"email": shopper.email})
    resetter.post(RESET, {"code": last_code_sent_to(shopper.email, mailoutbox)})
    assert "we need a second code too" in text(resetter.get(RESET))
    resetter.get(RESET + f"?method={device.persistent_id}")
    resetter.post(RESET + f"?method={device.persistent_id}", {"do": "verify", "code": backup_codes[1]})
    done = resetter.post(RESET, {"new_password": NEW})
    assert done.headers["Location"] == SIGNIN, gist(done)
    assert streak(shopper) == 0
    later = Client()
    password_step(later, shopper.email, NEW)
    later.get(CODE + f"?method={device.persistent_id}")
    later.post(CODE + f"?method={device.persistent_id}", {"do": "verify", "code": backup_codes[2]})
    assert signed_in_as(later) == shopper.pk


# ----------------------------------------------------------------- 2. a forged trusted cookie counts nothing


def test_a_forged_or_altered_browser_cookie_with_the_password_counts_nothing(
    client, shopper, outsider, password, authenticator
):
    from security.codes import totp_secret
    from security.methods import authenticator_add

    password_step(client, shopper.email, password)
    client.get(CODE)
    client.post(CODE, {"do": "verify", "code": authenticator.app.now(), "trust": "on"})
    client.post("/account/signout/")
    genuine = client.cookies[BROWSER_COOKIE].value
    outsiders_app = pyotp_totp(
        authenticator_add(user=outsider, secret=totp_secret(), primary=True, confirmed=True, request=None)
    )
    theirs = Client()
    password_step(theirs, outsider.email, password)
    theirs.get(CODE)
    theirs.post(CODE, {"do": "verify", "code": outsiders_app.now(), "trust": "on"})
    signer = signing.get_cookie_signer(salt=BROWSER_COOKIE + BROWSER_SALT)
    forgeries = [
        "forged-token-value",
        genuine[:-3] + "abc",
        genuine.split(":")[0],
        signer.sign("a-token-the-server-never-issued"),
        theirs.cookies[BROWSER_COOKIE].value,  # a real cookie, trusted for another account
    ]

    for attempt in range(30):  # about the "100 requests in 11 seconds" of the issue, at the same pace
        forger = Client()
        forger.cookies[BROWSER_COOKIE] = forgeries[attempt % len(forgeries)]
        forger.cookies[f"deadbolt_trusted_{shopper.pk}"] = "1"  # the old per-account name means nothing
        assert password_step(forger, shopper.email, password).headers["Location"] == CODE  # a code, like anyone

    assert streak(shopper) == 0
    assert not SecurityEvent.objects.filter(user=shopper, kind__in=["code_failed", "trusted_cookie_forged"]).exists()
    assert codes_queued_to(NUMBER) == 0 and not Message.objects.filter(kind="code", user=shopper).exists()
    assert password_step(client, shopper.email, password).headers["Location"] == "/"  # the owner's still works


def pyotp_totp(device):
    import pyotp

    return pyotp.TOTP(device.secret())


# ------------------------------------------------------------------ 3. password reset tells nobody anything


def test_password_reset_gives_the_same_answers_with_and_without_an_account_across_browsers(shopper, mailoutbox):
    def play(email: str) -> list[str]:
        first, second, third = Client(), Client(), Client()
        pages = [text(first.post(RESET, {"email": email}, follow=True))]
        pages.append(text(second.post(RESET, {"email": email}, follow=True)))  # a second browser asks too
        pages.append(text(third.post(RESET, {"email": email}, follow=True)))  # a third, over the stranger share
        for _ in range(5):  # the first browser's wrong codes, then the second's
            pages.append(text(first.post(RESET, {"code": "000000"})))
            pages.append(text(second.post(RESET, {"code": "999999"})))
        pages.append(text(first.get(RESET + "?restart=1")))
        return [page.replace(email[0] + "•••@example.com", "X").replace(email, "X") for page in pages]

    run_pending_on_commit()
    real = play(shopper.email)
    run_pending_on_commit()
    codes = [last_code_sent_to(shopper.email, mailoutbox)]
    assert "000000" not in codes and "999999" not in codes, "a wrong code that happened to be right: run again"
    unknown = play("nobody@example.com")

    for step, (a, b) in enumerate(zip(real, unknown, strict=True)):
        assert a == b, f"step {step} tells the two apart"
    assert not any("replaced by a newer one" in page for page in real)
    assert "Too many wrong tries for this code." in real[-2]


def test_two_reset_requests_from_two_browsers_each_keep_their_own_code(shopper, mailoutbox):
    first, second = Client(), Client()
    first.post(RESET, {"email": shopper.email})
    first_code = last_code_sent_to(shopper.email, mailoutbox)
    second.post(RESET, {"email": shopper.email})  # someone else asks too: the first code must still work
    second_code = last_code_sent_to(shopper.email, mailoutbox)

    for browser, code in ((first, first_code), (second, second_code)):
        browser.post(RESET, {"code": code})
        assert 'autocomplete="new-password"' in text(browser.get(RESET))


def test_a_wrong_reset_code_costs_the_same_work_with_and_without_an_account(shopper, mailoutbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def work_of_a_wrong_code(email: str) -> list[str]:
        browser = Client()
        browser.post(RESET, {"email": email})
        run_pending_on_commit()
        with CaptureQueriesContext(connection) as queries:
            browser.post(RESET, {"code": "000000"})
        return [
            " ".join(re.findall(r'^\w+|"\w+"', q["sql"])[:2])
            for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
        ]

    real = work_of_a_wrong_code(shopper.email)
    assert last_code_sent_to(shopper.email, mailoutbox) != "000000", "a wrong code that happened to be right"
    assert real == work_of_a_wrong_code("nobody@example.com")  # the same statements: no timing tell


# ------------------------------------------------------------------ 4. the admin's password step is throttled


def test_admin_login_waits_after_wrong_passwords_and_records_them(admin_user, password):
    from security.codes import totp_secret
    from security.methods import authenticator_add

    device = authenticator_add(user=admin_user, secret=totp_secret(), primary=True, confirmed=True, request=None)
    app = pyotp_totp(device)
    after = django_settings.BACKOFF_LIMITS["password"]["after"]
    guesser = Client()

    def attempt(secret, token=""):
        return guesser.post(
            ADMIN_LOGIN,
            {"username": admin_user.email, "password": secret, "otp_device": device.persistent_id, "otp_token": token},
        )

    with time_machine.travel(timezone.now(), tick=False) as traveller:  # no wait runs out during the burst
        answers = [text(attempt(f"guess {n}")) for n in range(40)]
        checked_before = CountingMD5PasswordHasher.hashes_computed
        token = app.now()
        right_during_wait = text(attempt(password, token))
        wrong_during_wait = text(attempt("guess 41", token))

        assert CountingMD5PasswordHasher.hashes_computed == checked_before  # not even the right one was checked
        waits = [answer for answer in answers if "Too many attempts. Wait" in answer]
        assert len(waits) >= 40 - after - 1
        assert right_during_wait == wrong_during_wait  # the OTP step no longer tells the right one apart
        assert "Too many attempts. Wait" in right_during_wait
        failed = SecurityEvent.objects.filter(user=admin_user, kind=SecurityEvent.Kind.PASSWORD_FAILED)
        assert after <= failed.count() <= after + 1
        assert guesser.get("/admin/").status_code == 302

        traveller.shift(timedelta(seconds=django_settings.BACKOFF_LIMITS["password"]["max_seconds"] + 1))
        owner = Client()
        signed_in = owner.post(
            ADMIN_LOGIN,
            {
                "username": admin_user.email,
                "password": password,
                "otp_device": device.persistent_id,
                "otp_token": app.now(),
            },
        )
        assert signed_in.status_code == 302, gist(signed_in)
        assert owner.get("/admin/").status_code == 200


# ------------------------------------------------------------------------------------ 5. flooding an inbox


def test_the_step_up_page_sends_only_when_asked_and_at_most_the_cap(client, shopper, mailoutbox):
    client.force_login(shopper)
    known = [action.value for action in StepUpAction]
    actions = known + [f"made_up_{n}" for n in range(40 - len(known))]

    for action in actions:
        page = client.get(f"{STEP_UP}?action={action}&next=/")
        assert page.status_code == (200 if action in known else 404), action
        pressed = client.post(f"{STEP_UP}?action={action}&next=/", {"do": "send"})
        assert pressed.status_code == (302 if action in known else 404), action
    for action in known:  # and again, and again
        for _ in range(3):
            client.get(f"{STEP_UP}?action={action}&next=/")
            client.post(f"{STEP_UP}?action={action}&next=/", {"do": "send"})

    assert codes_queued_to(shopper.email) <= 5
    assert codes_received_by(shopper.email, mailoutbox) <= 5
    assert Challenge.objects.filter(user=shopper, purpose__startswith="step_up:").values(
        "purpose"
    ).distinct().count() <= len(StepUpAction)


def test_a_step_up_page_view_never_sends(client, shopper, mailoutbox):
    client.force_login(shopper)
    for action in StepUpAction:
        for _ in range(5):
            assert client.get(f"{STEP_UP}?action={action.value}&next=/").status_code == 200

    assert not Message.objects.filter(kind="code").exists()
    assert codes_received_by(shopper.email, mailoutbox) == 0


def test_sign_up_with_someone_elses_email_sends_that_inbox_at_most_the_stranger_share(shopper, mailoutbox):
    victim = "victim@example.com"
    for n in range(10):
        stranger = Client()
        stranger.post("/account/signup/", {"name": "Not Victim", "email": victim, "password": "tidy lantern orbit 42"})
        password_step(stranger, victim, "tidy lantern orbit 42")
        stranger.get(CODE)
        stranger.post(CODE, {"do": "send"})
        stranger.post(CODE, {"do": "resend"})
        stranger.post(RESET, {"email": victim})
        assert not stranger.get(SECURITY).wsgi_request.user.is_authenticated, n

    # An address with an account: signing up with it sends it nothing at all.
    Client().post("/account/signup/", {"name": "Not Jo", "email": shopper.email, "password": "tidy lantern orbit 42"})

    run_pending_on_commit()
    to_victim = [m for m in mailoutbox if victim in m.to]
    assert len(to_victim) <= django_settings.RATE_LIMITS["stranger_code_per_destination"][0][1]
    assert {m.subject for m in to_victim} <= {"Your Deadbolt code to confirm your email"}
    assert not [m for m in mailoutbox if shopper.email in m.to]


# --------------------------------------------------------------- 6. X-Forwarded-For and enrolment caps


def test_a_spoofed_forwarded_for_header_changes_nothing_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    most = django_settings.RATE_LIMITS["password_reset_per_ip"][0][1]
    answers = []
    for n in range(most + 3):
        spoofer = Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        answers.append(text(spoofer.post(RESET, {"email": f"nobody{n}@example.com"}, follow=True)))

    refused = [n for n, page in enumerate(answers) if "Too many requests for this email or network." in page]
    assert refused == list(range(most, most + 3))  # the network's limit held, whatever the header said
    assert set(PasswordResetRequest.objects.values_list("ip", flat=True)) == {"127.0.0.1"}

    with time_machine.travel(timezone.now(), tick=False):
        for n in range(8):  # wrong passwords for eight addresses: the network's back-off still bites
            Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").post(SIGNIN, {"email": f"x{n}@example.com", "password": "x"})
        assert not backoff_peek("password", "ip:127.0.0.1").allowed


def test_with_one_trusted_proxy_only_the_last_forwarded_entry_counts(settings, shopper):
    settings.TRUSTED_PROXY_COUNT = 1
    most = django_settings.RATE_LIMITS["password_reset_per_ip"][0][1]
    answers = []
    for n in range(most + 2):
        spoofer = Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7")  # the client wrote the first entry
        answers.append(text(spoofer.post(RESET, {"email": f"nobody{n}@example.com"}, follow=True)))

    refused = [n for n, page in enumerate(answers) if "Too many requests for this email or network." in page]
    assert refused == [most, most + 1]
    assert set(PasswordResetRequest.objects.values_list("ip", flat=True)) == {"203.0.113.7"}
    other_network = Client(HTTP_X_FORWARDED_FOR="203.0.113.7, 203.0.113.8")
    assert "we've emailed it" in text(other_network.post(RESET, {"email": "someone@example.com"}, follow=True))

    password_step(Client(HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.9"), shopper.email, "wrong")
    assert SecurityEvent.objects.get(user=shopper, kind="password_failed").ip == "203.0.113.9"


def test_phone_enrolment_to_forty_numbers_sends_at_most_the_per_account_cap(client, shopper, authenticator):
    client.force_login(shopper)
    step_up_grant(client, StepUpAction.TWO_STEP.value)
    step_up_grant_more(client, StepUpAction.CHANGE_PHONE.value)
    url = reverse("security:phone") + "?role=backup&channel=sms"
    numbers = [f"+4479111234{n:02d}" for n in range(40)]
    for number in numbers:
        client.post(url, {"do": "send", "number": number, "channel": "sms"})
    for number in numbers[:10]:  # changing the account's phone draws on the same cap
        client.post("/account/security/phone/", {"do": "restart"})
        client.post("/account/security/phone/", {"value": number})

    cap = django_settings.RATE_LIMITS["new_destination_codes_per_account"][0][1]
    run_pending_on_commit()
    sent = [m for m in locmem.outbox if m.to in numbers]
    assert 1 <= len(sent) <= cap
    assert Message.objects.filter(kind="code", destination__in=numbers).exclude(status=Status.FAILED).count() <= cap
    client.post(url, {"do": "change"})  # back to the number form, where its refusal is shown
    last = client.post(url, {"do": "send", "number": "+447911123499", "channel": "sms"})
    assert "You've asked for several codes recently." in text(last), gist(last)


def step_up_grant_more(client, action: str, seconds_left: int = 600) -> None:
    """Add a grant beside the session's others (tests.helpers.step_up_grant replaces them)."""
    import time

    from security.step_up import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = {**session.get(SESSION_KEY, {}), action: time.time() + seconds_left}
    session.save()


# ------------------------------------------------------------------- 7. recognised browsers are forgotten


def test_sign_out_everywhere_and_a_password_change_make_a_recognised_browser_prove_itself_again(
    shopper, password, mailoutbox
):
    browser = sign_in_with_emailed_code(shopper.email, password, mailoutbox)
    browser.post("/account/signout/")
    assert password_step(browser, shopper.email, password).headers["Location"] == "/"  # recognised
    browser.post("/account/signout/")

    owner = Client()
    owner.force_login(shopper)
    step_up_grant(owner, StepUpAction.SIGNOUT_EVERYWHERE.value)
    assert owner.post("/account/security/signout-everywhere/").status_code == 302
    assert password_step(browser, shopper.email, password).headers["Location"] == CODE

    browser.session.pop(PENDING_KEY, None)
    sign_in_with_emailed_code(shopper.email, password, mailoutbox, client=browser)
    browser.post("/account/signout/")
    assert password_step(browser, shopper.email, password).headers["Location"] == "/"  # recognised again
    browser.post("/account/signout/")

    step_up_grant(owner, StepUpAction.CHANGE_PASSWORD.value)
    changed = owner.post(
        "/account/security/password/", {"current_password": password, "new_password": NEW, "keep_signed_in": "on"}
    )
    assert changed.status_code == 302, gist(changed)
    assert password_step(browser, shopper.email, NEW).headers["Location"] == CODE


# ---------------------------------------------------------------------------------------------- 8. races


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_wrong_passwords_get_at_most_the_back_off_allowance_checked(shopper, password):
    after = django_settings.BACKOFF_LIMITS["password"]["after"]

    with time_machine.travel(timezone.now(), tick=False):  # no wait runs out while the burst is in flight
        answers = in_parallel(30, lambda n: text(password_step(Client(), shopper.email, f"guess {n}")))

    checked = SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.PASSWORD_FAILED).count()
    assert 1 <= checked <= after + 2, checked
    waited = [answer for answer in answers if "Too many attempts. Wait" in answer]
    assert len(waited) >= 30 - after - 2


@pytest.mark.django_db(transaction=True)
def test_twelve_parallel_sms_sends_to_one_number_queue_exactly_five(shopper, password):
    shopper.phone = NUMBER
    shopper.save(update_fields=["phone"])
    browsers = [Client() for _ in range(12)]
    for browser in browsers:
        assert password_step(browser, shopper.email, password).headers["Location"] == CODE

    pages = in_parallel(12, lambda n: text(browsers[n].get(CODE)))  # each one's first arrival sends a text

    cap = django_settings.RATE_LIMITS["code_per_destination"][0][1]
    assert codes_queued_to(NUMBER) == cap == 5
    assert len([m for m in locmem.outbox if m.to == NUMBER]) == cap
    assert sum(CAP_WORDS in page for page in pages) == 12 - cap
    assert sum("We've texted a 6-digit code" in page for page in pages) == cap


# ------------------------------------------------------------------------- 9. one message when a cap bites


def test_when_a_send_cap_bites_the_code_page_says_so_and_never_that_a_code_was_sent(shopper, password):
    shopper.phone = NUMBER
    shopper.save(update_fields=["phone"])
    for _ in range(5):  # someone with the password fills the number's cap
        thief = Client()
        password_step(thief, shopper.email, password)
        thief.get(CODE)
    assert codes_queued_to(NUMBER) == 5

    owner = Client()
    password_step(owner, shopper.email, password)
    page = text(owner.get(CODE))

    assert CAP_WORDS in page
    assert "or choose another way to get a code" in page
    assert not any(words in page for words in SENT_WORDS)
    assert codes_queued_to(NUMBER) == 5


def test_when_the_email_cap_bites_the_step_up_page_says_so_and_never_that_a_code_was_sent(client, shopper):
    client.force_login(shopper)
    actions = list(StepUpAction)
    for action in actions[:5]:
        client.post(f"{STEP_UP}?action={action.value}&next=/", {"do": "send"})
    assert codes_queued_to(shopper.email) == 5

    url = f"{STEP_UP}?action={actions[5].value}&next=/"
    client.post(url, {"do": "send"})
    page = text(client.get(url))

    assert CAP_WORDS in page
    assert not any(words in page for words in SENT_WORDS)


def test_couriers_and_staff_without_2sv_cannot_use_their_pages(make_user, courier, admin_user, password):
    no_2sv = make_user("sam.courier@example.com", name="Sam Courier", is_courier=True)
    browser = Client()
    browser.force_login(no_2sv)
    for url in ("/courier/", "/courier/1/"):
        response = browser.get(url)
        assert response.status_code == 302 and response.headers["Location"] == reverse("security:two_step_start"), url
    assert browser.post("/courier/1/", {"code": "123456"}).headers["Location"] == reverse("security:two_step_start")

    with_2sv = Client()
    with_2sv.force_login(courier)
    assert with_2sv.get("/courier/").status_code == 200

    staff = Client()
    answer = staff.post(ADMIN_LOGIN, {"username": admin_user.email, "password": password, "otp_token": ""})
    assert "Turn on two-step verification" in text(answer)
    assert staff.get("/admin/").status_code == 302
    staff.force_login(admin_user)  # signed in on the shop, password only
    assert staff.get("/admin/").status_code == 302


# ------------------------------------------------------------ 10. two browsers, one account, one code each


def test_two_browsers_signing_in_at_once_each_keep_their_own_code(shopper, password):
    primary_phone(shopper)
    first, second = Client(), Client()
    password_step(first, shopper.email, password)
    first.get(CODE)
    first_code = last_code_sent_to(NUMBER)
    password_step(second, shopper.email, password)
    second.get(CODE)
    second_code = last_code_sent_to(NUMBER)
    for _ in range(2):  # someone else with the password starts more sign-ins, trying to kill the owner's code
        extra = Client()
        password_step(extra, shopper.email, password)
        extra.get(CODE)
    run_pending_on_commit()
    texts_before = len([m for m in locmem.outbox if m.to == NUMBER])

    wrong = first.post(CODE, {"do": "verify", "code": wrong_code(first_code, 7)})
    wrong_again = first.post(CODE, {"do": "verify", "code": wrong_code(first_code, 8)})
    assert "That code isn't right. You have 4 tries left." in text(wrong)
    assert "3 tries left" in text(wrong_again)
    assert not any("replaced by a newer one" in text(page) for page in (wrong, wrong_again))
    second_challenge = Challenge.objects.get(pk=second.session[PENDING_KEY]["code"]["challenge_id"])
    assert second_challenge.failures == 0  # one browser's wrong tries never spend another's code

    assert second.post(CODE, {"do": "verify", "code": second_code}).headers["Location"] == "/"
    assert first.post(CODE, {"do": "verify", "code": first_code}).headers["Location"] == "/"
    assert signed_in_as(first) == signed_in_as(second) == shopper.pk
    run_pending_on_commit()
    assert len([m for m in locmem.outbox if m.to == NUMBER and re.search(r"\b\d{6}\b", m.text)]) == texts_before
    assert texts_before == 4  # one per sign-in: failures sent nothing


def test_an_attacker_with_the_password_cannot_use_up_the_owners_password_reset(shopper, password, mailoutbox):
    for _ in range(5):  # five new-browser sign-ins with the password: five codes to the owner's address
        thief = Client()
        password_step(thief, shopper.email, password)
        thief.get(CODE)
    assert codes_queued_to(shopper.email) == 5
    run_pending_on_commit()
    mailoutbox.clear()

    owner = Client()  # the owner's way back in: a password reset by email
    asked = owner.post(RESET, {"email": shopper.email}, follow=True)
    assert CAP_WORDS not in text(asked)
    assert "we've emailed it a 6-digit code" in text(asked)
    owner.post(RESET, {"code": last_code_sent_to(shopper.email, mailoutbox)})
    done = owner.post(RESET, {"new_password": NEW})
    assert done.headers["Location"] == SIGNIN, gist(done)


# ------------------------------------------------------------------------------------ 11. "This wasn't me"


def take_over_the_email(shopper, mailoutbox, new_email="attacker@evil.example") -> str:
    """An intruder signed in as the shopper changes the account's email; returns the old address's alert link."""
    intruder = Client()
    intruder.force_login(shopper)
    step_up_grant(intruder, StepUpAction.CHANGE_EMAIL.value)
    intruder.post("/account/security/email/", {"value": new_email})
    proved = intruder.post(
        "/account/security/email/", {"do": "verify", "code": last_code_sent_to(new_email, mailoutbox)}
    )
    assert proved.status_code == 302, gist(proved)
    shopper.refresh_from_db()
    assert shopper.email == new_email
    run_pending_on_commit()
    alert = next(m for m in mailoutbox if m.to == ["jo.shopper@example.com"] and "This wasn't me:" in m.body)
    return re.search(r"This wasn't me: https://shop\.example\.com(/account/not-me/[\w:.-]+/)", alert.body).group(1)


def test_this_wasnt_me_after_an_email_change_rescues_through_the_old_address_once(shopper, mailoutbox):
    link = take_over_the_email(shopper, mailoutbox)
    to_attacker_before = len([m for m in mailoutbox if "attacker@evil.example" in m.to])

    owner = Client()
    page = text(code_page_open(owner, link))
    assert "emailed a 6-digit code to j•••@example.com" in page
    rescue_code = last_code_sent_to("jo.shopper@example.com", mailoutbox)
    assert len([m for m in mailoutbox if "attacker@evil.example" in m.to]) == to_attacker_before  # nothing to them
    owner.post(link, {"do": "verify", "code": rescue_code})
    done = owner.post(link, {"new_password": NEW})
    assert done.headers["Location"] == SIGNIN, gist(done)
    shopper.refresh_from_db()
    assert shopper.check_password(NEW)

    again = Client().get(link)
    assert again.status_code == 404 and "This link has expired" in text(again)
    assert owner.get(link).status_code == 404


def test_after_this_wasnt_me_the_owner_gets_in_and_the_intruders_address_gets_nothing(shopper, mailoutbox):
    link = take_over_the_email(shopper, mailoutbox)
    owner = Client()
    code_page_open(owner, link)
    owner.post(link, {"do": "verify", "code": last_code_sent_to("jo.shopper@example.com", mailoutbox)})
    owner.post(link, {"new_password": NEW})
    run_pending_on_commit()
    to_attacker = len([m for m in mailoutbox if "attacker@evil.example" in m.to])

    # The intruder asks to reset the password through the address they put on the account...
    intruder = Client()
    intruder.post(RESET, {"email": "attacker@evil.example"})
    run_pending_on_commit()
    assert len([m for m in mailoutbox if "attacker@evil.example" in m.to]) == to_attacker
    # ...and the owner signs in with the new password on a new browser, by a code to their own address.
    sign_in_with_emailed_code("jo.shopper@example.com", NEW, mailoutbox, client=owner)
    assert signed_in_as(owner) == shopper.pk


def test_this_wasnt_me_expires_after_its_time(shopper, mailoutbox, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        link = f"/account/not-me/{not_me_token(shopper)}/"
        traveller.shift(timedelta(seconds=settings.SECURITY_NOT_ME_SECONDS - 60))
        assert Client().get(link).status_code == 200
        traveller.shift(timedelta(seconds=61))
        late = Client().get(link)
    assert late.status_code == 404 and "This link has expired" in text(late)


@pytest.mark.parametrize("way", ["second factor", "recovery wait"])
def test_this_wasnt_me_on_a_2sv_account_asks_for_a_second_factor_before_a_new_password(
    way, shopper, authenticator, backup_codes, mailoutbox
):
    link = take_over_the_email(shopper, mailoutbox)
    owner = Client()
    code_page_open(owner, link)
    owner.post(link, {"do": "verify", "code": last_code_sent_to("jo.shopper@example.com", mailoutbox)})

    page = text(owner.get(link))
    assert "also needs a code from one of your methods" in page
    assert "I can't use any of these methods" in page
    skipped = owner.post(link, {"new_password": NEW})  # straight to a new password
    shopper.refresh_from_db()
    assert skipped.status_code == 200 and not shopper.check_password(NEW)

    if way == "recovery wait":
        started = owner.post(link, {"do": "recover"})
        assert started.status_code == 200
        assert RecoveryRequest.objects.filter(user=shopper).exists()
        shopper.refresh_from_db()
        assert not shopper.check_password(NEW)
        return
    device = backup_device(shopper)
    owner.get(link + f"?method={device.persistent_id}")
    owner.post(link + f"?method={device.persistent_id}", {"do": "verify", "code": backup_codes[0]})
    done = owner.post(link, {"new_password": NEW})
    assert done.headers["Location"] == SIGNIN, gist(done)
    shopper.refresh_from_db()
    assert shopper.check_password(NEW)


# ----------------------------------------------------------------------------- 12. alerts are never dropped


def test_security_alerts_are_never_dropped_by_the_code_cap(shopper, password, mailoutbox):
    shopper.phone = NUMBER
    shopper.save(update_fields=["phone"])
    for _ in range(5):  # the number's code cap, filled by sign-ins
        thief = Client()
        password_step(thief, shopper.email, password)
        thief.get(CODE)
    owner = Client()
    owner.force_login(shopper)
    for action in list(StepUpAction)[:5]:  # the address's code cap, filled by step-up codes
        owner.post(f"{STEP_UP}?action={action.value}&next=/&method=email", {"do": "send"})
    assert codes_queued_to(NUMBER) == 5 and codes_queued_to(shopper.email) == 5
    run_pending_on_commit()
    mailoutbox.clear()
    locmem.outbox.clear()

    step_up_grant(owner, StepUpAction.CHANGE_PASSWORD.value)
    owner.post(
        "/account/security/password/", {"current_password": password, "new_password": NEW, "keep_signed_in": "on"}
    )

    alerts = Message.objects.filter(kind="security_alert", user=shopper)
    assert {(m.channel, m.destination) for m in alerts.exclude(status=Status.FAILED)} >= {
        ("email", shopper.email),
        ("sms", NUMBER),
    }
    assert not alerts.filter(status=Status.FAILED).exists()
    run_pending_on_commit()
    assert "Your password was changed" in [m.subject for m in mailoutbox if shopper.email in m.to]
    assert [m for m in locmem.outbox if m.to == NUMBER]


def test_a_recovery_alert_reaches_the_2sv_phone_even_when_its_code_cap_is_full(shopper, password, mailoutbox):
    primary_phone(shopper)
    for _ in range(5):  # the 2SV phone's code cap, filled by sign-ins
        thief = Client()
        password_step(thief, shopper.email, password)
        thief.get(CODE)
    assert codes_queued_to(NUMBER) == 5
    locmem.outbox.clear()

    owner = Client()
    password_step(owner, shopper.email, password)
    code_page_open(owner, "/account/signin/recover/")
    owner.post("/account/signin/recover/", {"do": "verify", "code": last_code_sent_to(shopper.email, mailoutbox)})

    assert RecoveryRequest.objects.filter(user=shopper).exists()
    sms = Message.objects.filter(kind="security_alert", channel="sms", destination=NUMBER)
    assert sms.exists() and not sms.filter(status=Status.FAILED).exists()
    run_pending_on_commit()
    assert [m for m in locmem.outbox if m.to == NUMBER]
