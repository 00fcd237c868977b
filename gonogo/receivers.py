"""A changed risk or defect re-checks the evidence of the release's latest go decision.

Connected in GoNoGoConfig.ready().
"""

from django.dispatch import receiver

from gonogo.services.decisions import recheck_decision_evidence
from registers.signals import register_changed


@receiver(register_changed, dispatch_uid="golive.recheck_decision_evidence")
def recheck_after_register_change(sender, release, **kwargs) -> None:
    recheck_decision_evidence(release)
