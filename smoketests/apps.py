import logging

from django.apps import AppConfig


class SmokeTestsConfig(AppConfig):
    name = "smoketests"
    verbose_name = "Smoke tests and monitoring"

    def ready(self):
        # httpx logs every request at INFO: each webhook a run or monitor sends would be a line in the
        # worker's log.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        from golive.release_page import contribute
        from smoketests import receivers  # noqa: F401 (connects the signal receivers)
        from smoketests.selectors import release_page_part

        contribute(release_page_part)
