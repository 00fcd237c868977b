"""`manage.py smoke_run RELEASE [--wait]`: start a smoke run from a deployment script."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from golive.models import Release
from golive.permissions import SYSTEM
from smoketests.choices import Outcome, RunStatus, RunTrigger
from smoketests.models import SmokeRun
from smoketests.services.runs import execute_run, start_smoke_run, wait_for_run


class Command(BaseCommand):
    help = (
        "Start a smoke run of every enabled check of a release. With --wait, print each result as it "
        "completes and exit 0 if the run passed, 1 otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("release", type=int, help="The release id.")
        parser.add_argument("--wait", action="store_true", help="Wait for the verdict and print the results.")
        parser.add_argument(
            "--timeout", type=float, default=600.0, help="With --wait: give up after this many seconds (600)."
        )
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="Run the checks in this process instead of a Celery worker (no broker needed).",
        )

    def handle(self, *args, release: int, wait: bool, timeout: float, in_process: bool, **options):
        try:
            target = Release.objects.get(pk=release)
        except Release.DoesNotExist:
            raise CommandError(f"No release with id {release}.") from None
        try:
            run = start_smoke_run(release=target, actor=SYSTEM, trigger=RunTrigger.COMMAND)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Smoke run #{run.pk} of {target.name}: {run.results.count()} checks queued.")
        if run.dispatch_error and not in_process:
            self.stderr.write("Queued, no worker reachable: it starts when a worker is back.")
        if in_process:
            execute_run(run_id=run.pk)
        if not (wait or in_process):
            return
        for result in wait_for_run(run_id=run.pk, timeout_seconds=timeout):
            mark = {Outcome.PASSED: "PASS", Outcome.FAILED: "FAIL"}.get(result.outcome, "ERROR")
            latency = f"{result.latency_ms} ms" if result.latency_ms is not None else "-"
            self.stdout.write(f"  {mark:<5} {result.check_name}: {result.message} ({latency})")
        run = SmokeRun.objects.get(pk=run.pk)
        if not run.is_finished:
            self.stdout.write(f"Still {run.get_status_display().lower()} after {timeout:g} s.")
            raise SystemExit(1)
        self.stdout.write(f"Verdict: {run.get_status_display()}{f' ({run.error})' if run.error else ''}")
        if run.status != RunStatus.PASSED:
            raise SystemExit(1)
