from django.urls import path

from accounts import language
from accounts.views import account, contact, passkey_signin, passwords, recovery, signin

app_name = "accounts"

urlpatterns = [
    path("signup/", signin.signup, name="signup"),
    path("signin/", signin.signin, name="signin"),
    path("signin/code/", signin.signin_code, name="signin_code"),
    path("signin/by-code/", signin.signin_by_code, name="signin_by_code"),
    path("signin/passkey/options/", passkey_signin.signin_passkey_options, name="signin_passkey_options"),
    path("signin/passkey/", passkey_signin.signin_passkey, name="signin_passkey"),
    path(
        "signin/code/passkey/options/", passkey_signin.signin_code_passkey_options, name="signin_code_passkey_options"
    ),
    path("signin/code/passkey/", passkey_signin.signin_code_passkey, name="signin_code_passkey"),
    path("signin/recover/", signin.signin_recover, name="signin_recover"),
    path("recovery/cancel/<str:token>/", recovery.recovery_cancel_link, name="recovery_cancel"),
    path("security/recovery/cancel/", recovery.recovery_cancel_signed_in, name="recovery_cancel_signed_in"),
    path("security/devices/remove/", account.trusted_devices_remove, name="trusted_devices_remove"),
    path("security/signout-everywhere/", account.signout_everywhere, name="signout_everywhere"),
    path("not-me/<str:token>/", recovery.not_me, name="not_me"),
    path("signout/", signin.signout, name="signout"),
    path("password-reset/", passwords.password_reset, name="password_reset"),
    path("security/", account.security, name="security"),
    path("language/", language.language_choose, name="language"),
    path("security/password/", passwords.password_change_view, name="password_change"),
    path("security/activity/", account.activity, name="activity"),
    path("security/email/", contact.email_change_view, name="email_change"),
    path("security/phone/", contact.phone_change_view, name="phone_change"),
    path("addresses/", account.addresses, name="addresses"),
    path("addresses/new/", account.address_edit, name="address_new"),
    path("addresses/<int:address_id>/", account.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", account.address_delete_view, name="address_delete"),
    path("addresses/<int:address_id>/default/", account.address_default, name="address_default"),
    path("cards/", account.cards, name="cards"),
    path("cards/new/", account.card_new, name="card_new"),
    path("cards/<int:card_id>/delete/", account.card_delete, name="card_delete"),
]
