from django.apps import AppConfig


class RunbookConfig(AppConfig):
    name = "runbook"
    verbose_name = "Runbook"

    def ready(self) -> None:
        from runbook import receivers  # noqa: F401  (connect signal receivers)
