from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed so `manage.py load_demo` exists (make run loads the demo); no other app imports it."""

    name = "demo"
    verbose_name = "Demo data"
