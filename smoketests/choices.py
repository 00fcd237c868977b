from django.db import models


class HttpMethod(models.TextChoices):
    GET = "GET", "GET"
    HEAD = "HEAD", "HEAD"
    POST = "POST", "POST"
    PUT = "PUT", "PUT"
    PATCH = "PATCH", "PATCH"
    DELETE = "DELETE", "DELETE"
    OPTIONS = "OPTIONS", "OPTIONS"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    ERRORED = "errored", "Errored"


FINISHED_RUN_STATUSES = (RunStatus.PASSED, RunStatus.FAILED, RunStatus.ERRORED)
UNFINISHED_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class RunTrigger(models.TextChoices):
    MANUAL = "manual", "Started from the release page"
    COMMAND = "command", "Started by manage.py smoke_run"
    RUNBOOK = "runbook", "Started by a runbook step"
    API = "api", "Started by a pipeline through the API"


class Outcome(models.TextChoices):
    """What one check gave. `failed`: the server answered wrongly; `error`: no usable answer at all."""

    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    ERROR = "error", "Error"
    MISSED = "missed", "Missed"


COMPLETED_OUTCOMES = (Outcome.PASSED, Outcome.FAILED, Outcome.ERROR)


class MonitorState(models.TextChoices):
    UNKNOWN = "unknown", "Not checked yet"
    UP = "up", "Up"
    DOWN = "down", "Down"


class AlertKind(models.TextChoices):
    DOWN = "down", "Monitor down"
    RECOVERED = "recovered", "Monitor recovered"


# A run whose worker keeps dying (say the check crashes it) is given up after this many tries.
MAX_RUN_ATTEMPTS = 3
MIN_MONITOR_INTERVAL_SECONDS = 10
MAX_CHECK_TIMEOUT_SECONDS = 60
