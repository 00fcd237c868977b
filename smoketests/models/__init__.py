from smoketests.models.checks import SmokeCheck
from smoketests.models.monitors import Monitor, MonitorAlert, MonitorResult
from smoketests.models.runs import CheckResult, SmokeRun

__all__ = ["CheckResult", "Monitor", "MonitorAlert", "MonitorResult", "SmokeCheck", "SmokeRun"]
