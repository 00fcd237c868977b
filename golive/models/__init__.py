from golive.models.audit import AuditEvent
from golive.models.defects import Defect
from golive.models.releases import Release, ReleaseMembership
from golive.models.risks import Risk

__all__ = ["AuditEvent", "Defect", "Release", "ReleaseMembership", "Risk"]
