"""The release manager maps repositories' environments to the release; others may look, strangers may not."""

import pytest
from django.urls import reverse

from forge.models import DeploymentTarget
from golive.choices import Role
from golive.models import AuditEvent
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def _url(release) -> str:
    return reverse("forge:deployment_targets", args=[release.pk])


MAPPING = {"forge": "github", "repository": "acme/portal", "environment": "production"}


def test_the_release_manager_adds_and_removes_a_mapping(release, members, client_for):
    client = client_for(members[Role.RELEASE_MANAGER])
    assert client.post(_url(release), MAPPING).status_code == 302
    target = DeploymentTarget.objects.get()
    assert (target.release, target.repository, target.environment) == (release, "acme/portal", "production")
    assert AuditEvent.objects.filter(verb="deploy_target.added").exists()
    remove = reverse("forge:deployment_target_remove", args=[release.pk, target.pk])
    assert client.post(remove).status_code == 302
    assert not DeploymentTarget.objects.exists()


@pytest.mark.parametrize("role", [role for role in Role if role != Role.RELEASE_MANAGER])
def test_other_members_see_the_mappings_but_may_not_change_them(role, release, members, client_for):
    target = DeploymentTarget.objects.create(release=release, **MAPPING)
    client = client_for(members[role])
    page = client.get(_url(release))
    assert page.status_code == 200 and "acme/portal" in page.text
    assert client.post(_url(release), {**MAPPING, "environment": "staging"}).status_code == 403
    assert (
        client.post(reverse("forge:deployment_target_remove", args=[release.pk, target.pk])).status_code
        == 403
    )
    assert DeploymentTarget.objects.count() == 1


def test_a_stranger_gets_404(release, stranger, client_for):
    target = DeploymentTarget.objects.create(release=release, **MAPPING)
    client = client_for(stranger)
    assert client.get(_url(release)).status_code == 404
    assert client.post(_url(release), MAPPING).status_code == 404
    assert (
        client.post(reverse("forge:deployment_target_remove", args=[release.pk, target.pk])).status_code
        == 404
    )


def test_an_environment_mapped_to_another_release_is_a_form_error(release, members, client_for):
    DeploymentTarget.objects.create(release=ReleaseFactory(), **MAPPING)
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url(release), {**MAPPING, "repository": "ACME/Portal"}
    )
    assert response.status_code == 200 and "already mapped to a release" in response.text
    assert DeploymentTarget.objects.count() == 1


@pytest.mark.parametrize(
    "values, message",
    [({"forge": "bitbucket"}, "Select a valid choice"), ({"repository": ""}, "This field is required")],
)
def test_bad_mappings_are_form_errors(values, message, release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(_url(release), {**MAPPING, **values})
    assert response.status_code == 200 and message in response.text
    assert not DeploymentTarget.objects.exists()
