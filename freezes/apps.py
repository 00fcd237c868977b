from django.apps import AppConfig


class FreezesConfig(AppConfig):
    name = "freezes"
    verbose_name = "Freeze windows"

    def ready(self) -> None:
        from freezes.windows import release_page_part, warning_for
        from golive.release_page import contribute, warn_about_dates

        contribute(release_page_part)
        warn_about_dates(warning_for)
