from django.apps import AppConfig


class StatusPageConfig(AppConfig):
    name = "statuspage"
    verbose_name = "Status pages"

    def ready(self) -> None:
        from statuspage import receivers  # noqa: F401 - connects the listeners
