import pytest
from django.core.exceptions import ValidationError

from golive.choices import Role
from golive.models import AuditEvent
from runbook.spreadsheets import export_runbook, import_runbook
from tests.factories import MembershipFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def test_round_trip_to_the_next_release(go_release, members):
    text = export_runbook(go_release)
    next_release = ReleaseFactory()
    for role, user in members.items():
        MembershipFactory(release=next_release, user=user, role=role)
    steps = import_runbook(release=next_release, actor=members[Role.RELEASE_MANAGER], text=text)
    assert [s.title for s in steps] == ["Stop the batch jobs", "Migrate the database", "Switch traffic"]
    imported = {s.title: s for s in next_release.steps.prefetch_related("depends_on", "shadows")}
    migrate = imported["Migrate the database"]
    assert [d.title for d in migrate.depends_on.all()] == ["Stop the batch jobs"]
    assert migrate.point_of_no_return and migrate.rollback_note == "Restore the snapshot"
    assert [u.username for u in migrate.shadows.all()] == ["support"]
    assert export_runbook(next_release).splitlines()[1:] != []  # exports again
    assert {s.status for s in steps} == {"pending"}


HEADER = "order,title,owner,depends_on,kind,point_of_no_return,planned_duration_minutes\n"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("1,Stop jobs,dev,,manual,no,10\n2,Migrate,nobody,1,manual,no,10\n", "Row 3: owner “nobody”"),
        ("1,Stop jobs,dev,,manual,no,10\nx,Migrate,dev,,manual,no,10\n", "Row 3: order “x”"),
        ("1,Stop jobs,dev,,manual,no,10\n2,Migrate,dev,7,manual,no,10\n", "Row 3: depends on step 7"),
        ("1,Stop jobs,dev,,teleport,no,10\n", "Row 2: kind “teleport”"),
        ("1,Stop jobs,dev,,manual,perhaps,10\n", "Row 2: point_of_no_return"),
        ("1,Stop jobs,dev,,manual,no,-5\n", "Row 2: planned_duration_minutes"),
        ("1,A,dev,2,manual,no,10\n2,B,dev,1,manual,no,10\n", "cycle"),
        ("1,A,dev,,manual,no,10\n1,B,dev,,manual,no,10\n", "Row 3: order 1 appears twice"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_imported(go_release, members, rows, message):
    before = go_release.steps.count()
    with pytest.raises(ValidationError) as error:
        import_runbook(release=go_release, actor=members[Role.RELEASE_MANAGER], text=HEADER + rows)
    assert message in error.value.messages[0]
    assert "Nothing was imported" in error.value.messages[0]
    assert go_release.steps.count() == before


def test_missing_columns_are_named(go_release, members):
    with pytest.raises(ValidationError, match="no order, owner column"):
        import_runbook(release=go_release, actor=members[Role.RELEASE_MANAGER], text="title\nx\n")


def test_a_send_communication_step_keeps_its_message_through_export_and_import(go_release, members):
    from runbook.services.plan import add_step

    manager = members[Role.RELEASE_MANAGER]
    add_step(
        release=go_release,
        actor=manager,
        title="Tell users",
        owner=manager,
        kind="communication",
        message_kind="golive_success",
    )
    target = ReleaseFactory()
    for membership in go_release.memberships.select_related("user"):
        MembershipFactory(release=target, user=membership.user, role=membership.role)
    steps = import_runbook(release=target, actor=manager, text=export_runbook(go_release))
    assert [(s.kind, s.message_kind) for s in steps if s.title == "Tell users"] == [
        ("communication", "golive_success")
    ]


def test_imported_dependencies_are_audited(go_release, members):
    manager = members[Role.RELEASE_MANAGER]
    rows = "1,Stop jobs,dev,,manual,no,10\n2,Migrate,dev,1,manual,no,10\n3,Switch,dev,1;2,manual,no,10\n"
    imported = import_runbook(release=go_release, actor=manager, text=HEADER + rows)
    steps = {step.title: step for step in imported}
    events = AuditEvent.objects.filter(
        verb="step.dependencies_changed", target_id__in=[str(step.pk) for step in imported]
    ).order_by("pk")
    assert [(event.target_id, event.changes["depends_on"]) for event in events] == [
        (str(steps["Migrate"].pk), [[], [steps["Stop jobs"].pk]]),
        (str(steps["Switch"].pk), [[], [steps["Stop jobs"].pk, steps["Migrate"].pk]]),
    ]
    assert events.last().labels == {"depends_on": [[], ["Stop jobs", "Migrate"]]}
    assert {event.actor for event in events} == {manager}


FULL_HEADER = "order,title,owner,planned_start,planned_duration_minutes,instructions\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1,Stop\x00 jobs,dev,,10,\n", "Row 2: title “Stop\ufffd jobs”: Null characters are not allowed."),
        (
            "1,Stop jobs,dev,,10," + "i" * 200_000 + "\n",
            "Row 2: the CSV cannot be read (field larger than field limit",
        ),
        ("1," + "t" * 201 + ",dev,,10,\n", "at most 200 characters (it has 201)"),
        (
            "1,Stop jobs,dev,,\u00b2,\n",
            "Row 2: planned_duration_minutes “\u00b2”: Enter a whole number.",
        ),
        ("1,Stop jobs,dev,,99999999999999999999,\n", "Row 2: planned_duration_minutes"),
        ("99999999999999999999,Stop jobs,dev,,10,\n", "Row 2: order"),
        (
            "1,Stop jobs,dev,2026-02-30T10:00,10,\n",
            "Row 2: planned_start “2026-02-30T10:00”: Enter a valid date/time.",
        ),
        ("1,Stop jobs,dev,0001-01-01T00:00,10,\n", "Give a date between 2000 and 2100."),
        ("1,Stop jobs,dev,9999-12-31T23:59,10,\n", "Give a date between 2000 and 2100."),
    ],
    ids=[
        "nul",
        "200kB",
        "long-title",
        "superscript",
        "huge-duration",
        "huge-order",
        "impossible-date",
        "year-1",
        "year-9999",
    ],
)
def test_hostile_values_are_a_named_row_error(go_release, members, row, message):
    before = go_release.steps.count()
    with pytest.raises(ValidationError) as error:
        import_runbook(release=go_release, actor=members[Role.RELEASE_MANAGER], text=FULL_HEADER + row)
    assert message in error.value.messages[0]
    assert "Nothing was imported" in error.value.messages[0]
    assert go_release.steps.count() == before


def test_a_hostile_csv_upload_is_a_message_on_the_plan_page(go_release, members, client_for, postgresql):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "plan.csv", (FULL_HEADER + "1,Stop\x00 jobs,dev,9999-12-31T23:59,\u00b2,\n").encode()
    )
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        f"/releases/{go_release.pk}/runbook/import/", {"csv_file": upload}, follow=True
    )
    assert response.status_code == 200
    assert "Nothing was imported" in response.content.decode()
    assert go_release.steps.count() == 3


def test_a_shadow_must_be_in_production_support_as_on_the_step_form(go_release, members):
    """The step form offers only production-support members as shadows; the importer refuses others."""
    before = go_release.steps.count()
    rows = "order,title,owner,shadows\n1,Stop jobs,dev,support\n2,Migrate,dev,support;manager\n"
    with pytest.raises(ValidationError) as error:
        import_runbook(release=go_release, actor=members[Role.RELEASE_MANAGER], text=rows)
    assert error.value.messages == [
        "Row 3: shadows “support;manager”: Shadows are production-support members of this release; "
        "“manager” is not one. Nothing was imported."
    ]
    assert go_release.steps.count() == before
