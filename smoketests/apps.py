from django.apps import AppConfig


class SmokeTestsConfig(AppConfig):
    name = "smoketests"
    verbose_name = "Smoke tests and monitoring"
