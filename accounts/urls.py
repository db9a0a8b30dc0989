from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.signin_code, name="signin_code"),
    path("signin/recover/", views.signin_recover, name="signin_recover"),
    path("recovery/cancel/<str:token>/", views.recovery_cancel_link, name="recovery_cancel"),
    path("security/recovery/cancel/", views.recovery_cancel_signed_in, name="recovery_cancel_signed_in"),
    path("security/devices/remove/", views.trusted_devices_remove, name="trusted_devices_remove"),
    path("security/signout-everywhere/", views.signout_everywhere, name="signout_everywhere"),
    path("not-me/<str:token>/", views.not_me, name="not_me"),
    path("signout/", views.signout, name="signout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("security/", views.security, name="security"),
    path("security/password/", views.password_change_view, name="password_change"),
    path("security/activity/", views.activity, name="activity"),
    path("security/email/", views.email_change_view, name="email_change"),
    path("security/phone/", views.phone_change_view, name="phone_change"),
    path("addresses/", views.addresses, name="addresses"),
    path("addresses/new/", views.address_edit, name="address_new"),
    path("addresses/<int:address_id>/", views.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", views.address_delete_view, name="address_delete"),
    path("addresses/<int:address_id>/default/", views.address_default, name="address_default"),
    path("cards/", views.cards, name="cards"),
    path("cards/new/", views.card_new, name="card_new"),
    path("cards/<int:card_id>/delete/", views.card_delete, name="card_delete"),
]
