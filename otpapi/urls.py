from django.urls import path

from otpapi import views

app_name = "otpapi"
urlpatterns = [
    path("v1/apps/<str:application_id>/otp", views.send_otp, name="send"),
    path("v1/apps/<str:application_id>/verify-otp", views.verify_otp, name="verify"),
    path("v1/openapi.json", views.openapi_json, name="openapi"),
    path("v1/docs/", views.docs, name="docs"),
]
