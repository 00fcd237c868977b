"""What smoke tests publish for the apps beside and above them: the monitors of releases with their
states, and uptime over a period."""

from smoketests.choices import MonitorState
from smoketests.selectors import monitors_of_releases, uptime_of_releases

__all__ = ["MonitorState", "monitors_of_releases", "uptime_of_releases"]
