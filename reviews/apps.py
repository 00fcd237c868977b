from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Post-implementation reviews"

    def ready(self) -> None:
        from reviews import receivers  # noqa: F401  (connect signal receivers)
