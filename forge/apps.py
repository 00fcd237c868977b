from django.apps import AppConfig


class ForgeConfig(AppConfig):
    name = "forge"
    verbose_name = "GitHub and GitLab deploy gates"

    def ready(self) -> None:
        from forge import receivers  # noqa: F401  (connect signal receivers)
