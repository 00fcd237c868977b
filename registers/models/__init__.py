from registers.models.defects import Defect
from registers.models.risks import Risk

__all__ = ["Defect", "Risk"]
