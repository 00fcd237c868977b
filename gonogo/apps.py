from django.apps import AppConfig


class GoNoGoConfig(AppConfig):
    name = "gonogo"
    verbose_name = "Go/no-go"

    def ready(self) -> None:
        from golive.release_page import contribute
        from gonogo import receivers  # noqa: F401  (connect signal receivers)
        from gonogo.selectors import release_decisions

        contribute(release_decisions)

    @property
    def code_labels(self) -> dict[str, str]:
        """The decision outcomes, which no model field lists as its choices."""
        from gonogo.decision_rule import OUTCOME_LABELS

        return {str(code): label for code, label in OUTCOME_LABELS.items()}
