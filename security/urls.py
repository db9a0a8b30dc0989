from django.urls import path

from security import passkey_views, views

app_name = "security"

urlpatterns = [
    path("verify/", views.step_up, name="step_up"),
    path("verify/continue/", views.step_up_continue, name="step_up_continue"),
    path("verify/passkey/options/", passkey_views.step_up_passkey_options, name="step_up_passkey_options"),
    path("verify/passkey/", passkey_views.step_up_passkey, name="step_up_passkey"),
    path("security/passkeys/", passkey_views.passkeys, name="passkeys"),
    path("security/passkeys/add/options/", passkey_views.passkey_add_options, name="passkey_add_options"),
    path("security/passkeys/add/", passkey_views.passkey_add, name="passkey_add"),
    path("security/passkeys/<int:passkey_id>/rename/", passkey_views.passkey_rename_view, name="passkey_rename"),
    path("security/passkeys/<int:passkey_id>/remove/", passkey_views.passkey_remove_view, name="passkey_remove"),
    path("security/two-step/", views.two_step_start, name="two_step_start"),
    path("security/two-step/authenticator/", views.authenticator_enrol, name="authenticator"),
    path("security/two-step/phone/", views.phone_enrol, name="phone"),
    path("security/two-step/backup-method/", views.backup_method, name="backup_method"),
    path("security/two-step/backup-codes/", views.backup_codes, name="backup_codes"),
    path("security/two-step/backup-codes/download/", views.backup_codes_download, name="backup_codes_download"),
    path("security/two-step/backup-codes/new/", views.backup_codes_regenerate, name="backup_codes_regenerate"),
    path("security/two-step/backup-codes/done/", views.backup_codes_done, name="backup_codes_done"),
    path("security/two-step/off/", views.two_step_off, name="two_step_off"),
    path("security/two-step/methods/<path:persistent_id>/primary/", views.method_make_primary, name="method_primary"),
    path("security/two-step/methods/<path:persistent_id>/remove/", views.method_remove_view, name="method_remove"),
]
