from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path("verify/", views.step_up, name="step_up"),
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
