from django.apps import AppConfig


class FreezesConfig(AppConfig):
    name = "freezes"
    verbose_name = "Freeze windows"
