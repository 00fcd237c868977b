"""manage.py smoke_run: prints each result, exits 0 on a passed run and 1 otherwise."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from smoketests.models import SmokeRun

pytestmark = pytest.mark.django_db


def smoke_run(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("smoke_run", *map(str, args), stdout=out, stderr=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_a_passing_run_exits_0_and_prints_each_result(release, make_check, target):
    make_check("home page", target.url("/fast"))
    code, output = smoke_run(release.pk, "--in-process")
    assert code == 0
    assert "  PASS  home page: HTTP 200 in" in output
    assert output.rstrip().endswith("Verdict: Passed")
    assert SmokeRun.objects.get().trigger == "command"


def test_a_failing_run_exits_1_and_says_why(release, make_check, target):
    make_check("home page", target.url("/fast"))
    make_check("orders API", target.url("/error"))
    code, output = smoke_run(release.pk, "--in-process", "--wait")
    assert code == 1
    assert "  FAIL  orders API: Wrong status: expected 200, got 500." in output
    assert output.rstrip().endswith("Verdict: Failed")


def test_an_unknown_release_or_no_checks_is_an_error(release):
    with pytest.raises(CommandError, match="No release with id 999999"):
        call_command("smoke_run", "999999")
    with pytest.raises(CommandError, match="no enabled smoke check"):
        call_command("smoke_run", str(release.pk))
