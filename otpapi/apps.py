from django.apps import AppConfig


class OtpApiConfig(AppConfig):
    name = "otpapi"
    verbose_name = "OTP API (Pinpoint)"
