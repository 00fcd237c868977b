from django.apps import AppConfig


class GoNoGoConfig(AppConfig):
    name = "gonogo"
    verbose_name = "Go/no-go"

    def ready(self) -> None:
        from gonogo import receivers  # noqa: F401  (connect signal receivers)
