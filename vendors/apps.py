from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "vendors"
    verbose_name = "Vendor support ledger"

    def ready(self) -> None:
        from golive.release_page import contribute
        from vendors.selectors import release_page_part

        contribute(release_page_part)
