from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = "Production handover"

    def ready(self) -> None:
        from golive.release_page import contribute
        from handover.selectors import release_page_part

        contribute(release_page_part)
