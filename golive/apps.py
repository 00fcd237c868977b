from django.apps import AppConfig


class GoLiveConfig(AppConfig):
    name = "golive"
    verbose_name = "Go-live"

    def ready(self) -> None:
        from golive.field_limits import install_form_field_limits
        from golive.live_updates import connect_receivers

        install_form_field_limits()
        connect_receivers()
