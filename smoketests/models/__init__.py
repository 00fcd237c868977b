from smoketests.models.checks import SmokeCheck
from smoketests.models.monitors import Monitor, MonitorAlert, MonitorDay, MonitorResult
from smoketests.models.runs import CheckResult, SmokeRun

__all__ = ["CheckResult", "Monitor", "MonitorAlert", "MonitorDay", "MonitorResult", "SmokeCheck", "SmokeRun"]
