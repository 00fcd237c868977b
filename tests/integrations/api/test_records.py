"""Risks and defects over the API: list, create, update, and the idempotent upsert by tracker key."""

import pytest
from django.urls import reverse

from golive.choices import Role
from golive.models import AuditEvent
from registers.models import Defect, Risk
from tests.factories import DefectFactory, ReleaseFactory, RiskFactory

pytestmark = pytest.mark.django_db

DELIVERY_TEAM = (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM)
EVERY_ROLE = list(Role)
NEW_RISK = {"title": "Vendor API rate limits", "probability": 3, "impact": 4, "mitigation": "Cache"}
NEW_DEFECT = {"title": "Checkout times out", "severity": 2, "external_key": "SHOP-12"}


def _user(who, members, stranger):
    return stranger if who == "stranger" else members[who]


@pytest.mark.parametrize("kind", ["risk", "defect"])
@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger"])
def test_every_member_lists_and_a_stranger_gets_404(kind, who, release, members, stranger, api_for):
    RiskFactory(release=release)
    DefectFactory(release=release)
    response = api_for(_user(who, members, stranger)).get(reverse(f"api:{kind}_list", args=[release.pk]))
    assert response.status_code == (404 if who == "stranger" else 200)
    if who != "stranger":
        assert response.json()["count"] == 1


@pytest.mark.parametrize(("kind", "body"), [("risk", NEW_RISK), ("defect", NEW_DEFECT)])
@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger"])
def test_only_the_delivery_team_creates(kind, body, who, release, members, stranger, api_for):
    response = api_for(_user(who, members, stranger)).post(
        reverse(f"api:{kind}_list", args=[release.pk]), body, format="json"
    )
    expected = 201 if who in DELIVERY_TEAM else 404 if who == "stranger" else 403
    assert response.status_code == expected, response.content
    model = Risk if kind == "risk" else Defect
    assert model.objects.exists() == (expected == 201)
    if expected == 403:
        assert response.json() == {"error": f"Your role on {release.name} does not allow this.", "fields": {}}


def test_a_created_risk_comes_back_with_its_score_and_an_audit_event(release, members, api_for):
    response = api_for(members[Role.SCRUM_TEAM]).post(
        reverse("api:risk_list", args=[release.pk]), {**NEW_RISK, "owner": "dev"}, format="json"
    )
    body = response.json()
    assert body["score"] == 12 and body["owner"] == "dev" and body["blocking"] is False
    assert AuditEvent.objects.filter(verb="risk.created", actor=members[Role.SCRUM_TEAM]).exists()


def test_invalid_input_is_400_with_field_errors(release, members, api_for):
    response = api_for(members[Role.SCRUM_TEAM]).post(
        reverse("api:risk_list", args=[release.pk]),
        {"title": "", "probability": 9, "owner": "nobody"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Some fields are not valid; see “fields”."
    assert {"title", "probability", "impact", "owner"} <= set(body["fields"])


def test_a_body_that_is_not_json_is_400(release, members, api_for):
    response = api_for(members[Role.SCRUM_TEAM]).post(
        reverse("api:risk_list", args=[release.pk]), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["error"]


@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger"])
def test_only_the_delivery_team_updates_a_defect(who, release, members, stranger, api_for):
    defect = DefectFactory(release=release, title="Old title")
    response = api_for(_user(who, members, stranger)).patch(
        reverse("api:defect_detail", args=[release.pk, defect.pk]), {"status": "resolved"}, format="json"
    )
    expected = 200 if who in DELIVERY_TEAM else 404 if who == "stranger" else 403
    assert response.status_code == expected
    defect.refresh_from_db()
    assert (defect.status == "resolved") == (expected == 200)


def test_a_record_of_another_release_is_404(release, members, api_for):
    other = RiskFactory(release=ReleaseFactory())
    response = api_for(members[Role.SCRUM_TEAM]).get(reverse("api:risk_detail", args=[release.pk, other.pk]))
    assert response.status_code == 404


def test_a_risk_update_is_audited_with_the_change(release, members, api_for):
    risk = RiskFactory(release=release, probability=2, impact=2)
    response = api_for(members[Role.PRODUCT_OWNER]).patch(
        reverse("api:risk_detail", args=[release.pk, risk.pk]), {"impact": 5}, format="json"
    )
    assert response.json()["score"] == 10
    event = AuditEvent.objects.get(verb="risk.changed")
    assert event.changes == {"impact": [2, 5]}


def test_a_duplicate_tracker_key_on_create_is_a_conflict(release, members, api_for):
    DefectFactory(release=release, external_key="SHOP-12")
    response = api_for(members[Role.SCRUM_TEAM]).post(
        reverse("api:defect_list", args=[release.pk]), NEW_DEFECT, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"] == "Another defect of this release already has this tracker key."


UPSERTS = [
    pytest.param("defect", Defect, NEW_DEFECT, {"status": "in_progress"}, id="defect"),
    pytest.param("risk", Risk, {**NEW_RISK, "external_key": "RISK-7"}, {"status": "mitigated"}, id="risk"),
]


@pytest.mark.parametrize(("kind", "model", "body", "change"), UPSERTS)
def test_the_upsert_creates_then_updates_without_a_duplicate(
    kind, model, body, change, release, members, api_for
):
    client = api_for(members[Role.SCRUM_TEAM])
    url = reverse(f"api:{kind}_upsert", args=[release.pk])
    first = client.put(url, body, format="json")
    assert first.status_code == 201, first.content
    changed = {**body, "title": body["title"] + " under load", **change}
    second = client.put(url, changed, format="json")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    record = model.objects.get()
    assert (record.title, record.status) == (changed["title"], change["status"])
    repeat = client.put(url, changed, format="json")
    assert repeat.status_code == 200
    assert model.objects.count() == 1
    assert AuditEvent.objects.filter(verb=f"{kind}.changed").count() == 1


@pytest.mark.parametrize(("kind", "model", "body", "change"), UPSERTS)
def test_the_upsert_key_is_per_release(kind, model, body, change, release, members, api_for):
    factory = RiskFactory if model is Risk else DefectFactory
    factory(release=ReleaseFactory(), external_key=body["external_key"])
    response = api_for(members[Role.SCRUM_TEAM]).put(
        reverse(f"api:{kind}_upsert", args=[release.pk]), body, format="json"
    )
    assert response.status_code == 201
    assert model.objects.filter(external_key=body["external_key"]).count() == 2


@pytest.mark.parametrize(("kind", "model", "body", "change"), UPSERTS)
def test_the_upsert_needs_a_key(kind, model, body, change, release, members, api_for):
    keyless = {k: v for k, v in body.items() if k != "external_key"}
    response = api_for(members[Role.SCRUM_TEAM]).put(
        reverse(f"api:{kind}_upsert", args=[release.pk]), keyless, format="json"
    )
    assert response.status_code == 400
    assert "external_key" in response.json()["fields"]
    assert not model.objects.exists()


@pytest.mark.parametrize(("kind", "model", "body", "change"), UPSERTS)
@pytest.mark.parametrize(("who", "expected"), [(Role.STAKEHOLDER, 403), ("stranger", 404)])
def test_the_upsert_refuses_who_may_not_edit(
    kind, model, body, change, who, expected, release, members, stranger, api_for
):
    response = api_for(_user(who, members, stranger)).put(
        reverse(f"api:{kind}_upsert", args=[release.pk]), body, format="json"
    )
    assert response.status_code == expected
    assert not model.objects.exists()


def test_writes_without_credentials_are_401(release, anonymous_api):
    response = anonymous_api.put(reverse("api:defect_upsert", args=[release.pk]), NEW_DEFECT, format="json")
    assert response.status_code == 401


def test_the_api_refuses_a_risk_holding_a_connection_string(release, members, api_for):
    response = api_for(members[Role.RELEASE_MANAGER]).post(
        reverse("api:risk_list", args=[release.pk]),
        {
            "title": "Payroll database overload",
            "probability": 2,
            "impact": 3,
            "contingency": "Fail over to mysql://root:toor@standby.internal/payroll",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "looks like it contains a secret" in str(response.json())
    assert not release.risks.exists()


@pytest.mark.parametrize("kind", ["risk", "defect"])
def test_an_owner_must_be_a_member_and_unknown_users_get_the_same_answer(
    kind, release, members, stranger, api_for
):
    client = api_for(members[Role.RELEASE_MANAGER])
    body = NEW_RISK if kind == "risk" else NEW_DEFECT
    url = reverse(f"api:{kind}_list", args=[release.pk])
    not_a_member = client.post(url, {**body, "owner": stranger.username}, format="json")
    nobody = client.post(url, {**body, "owner": "no-such-user"}, format="json")
    assert not_a_member.status_code == nobody.status_code == 400
    assert not_a_member.json()["fields"]["owner"] == ["Not a member of this release."]
    assert nobody.json()["fields"]["owner"] == ["Not a member of this release."]
    assert not Risk.objects.exists() and not Defect.objects.exists()


def test_an_owner_with_two_roles_on_the_release_is_one_owner(release, members, api_for):
    from tests.factories import MembershipFactory

    dev = members[Role.SCRUM_TEAM]
    MembershipFactory(release=release, user=dev, role=Role.PRODUCTION_SUPPORT)
    response = api_for(members[Role.RELEASE_MANAGER]).post(
        reverse("api:risk_list", args=[release.pk]), {**NEW_RISK, "owner": "dev"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["owner"] == "dev"


def test_free_text_has_the_same_bound_as_the_forms(release, members, api_for):
    from golive.field_limits import TEXT_MAX_LENGTH

    response = api_for(members[Role.RELEASE_MANAGER]).post(
        reverse("api:risk_list", args=[release.pk]),
        {**NEW_RISK, "mitigation": "m" * (TEXT_MAX_LENGTH + 1)},
        format="json",
    )
    assert response.status_code == 400
    assert "mitigation" in response.json()["fields"]
    assert not Risk.objects.exists()


@pytest.mark.parametrize("kind", ["risk", "defect"])
def test_an_empty_owner_is_refused_as_the_schema_says(kind, release, members, api_for):
    body = NEW_RISK if kind == "risk" else NEW_DEFECT
    response = api_for(members[Role.RELEASE_MANAGER]).post(
        reverse(f"api:{kind}_list", args=[release.pk]), {**body, "owner": ""}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["owner"] == ["Give a member's username, or null for no owner."]
    assert not Risk.objects.exists() and not Defect.objects.exists()


@pytest.mark.parametrize("kind", ["risk", "defect"])
@pytest.mark.parametrize("title", [-2.77e28, 42, True, ["a"], {"a": 1}])
def test_a_title_that_is_not_text_is_refused_as_the_schema_says(kind, title, release, members, api_for):
    body = NEW_RISK if kind == "risk" else NEW_DEFECT
    response = api_for(members[Role.RELEASE_MANAGER]).post(
        reverse(f"api:{kind}_list", args=[release.pk]), {**body, "title": title}, format="json"
    )
    assert response.status_code == 400
    assert "title" in response.json()["fields"]
    assert not Risk.objects.exists() and not Defect.objects.exists()


@pytest.mark.parametrize(("kind", "model", "body", "change"), UPSERTS)
@pytest.mark.parametrize("padding", ["\u00a0", " ", "\t"])
def test_a_text_longer_than_the_schema_allows_is_refused_even_if_trimming_would_fit_it(
    kind, model, body, change, padding, release, members, api_for
):
    """The schema says maxLength 200; a title of 201 characters whose first is white space is 201 long."""
    limit = model._meta.get_field("title").max_length
    response = api_for(members[Role.SCRUM_TEAM]).put(
        reverse(f"api:{kind}_upsert", args=[release.pk]),
        {**body, "title": padding + "x" * limit},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["title"] == [f"Ensure this field has no more than {limit} characters."]
    assert not model.objects.exists()
