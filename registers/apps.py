from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = "Risks and defects"

    def ready(self) -> None:
        from golive.release_page import contribute
        from registers.selectors import release_page_part

        contribute(release_page_part)
