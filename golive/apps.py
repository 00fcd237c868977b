from django.apps import AppConfig


class GoLiveConfig(AppConfig):
    name = "golive"
    verbose_name = "Go-live"
