"""Secret-looking text is refused everywhere in the handover app, with an explanation; nothing is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from golive.choices import Role
from handover.models import AccessTransfer, HandoverItem
from handover.secret_detection import find_secret, reject_secrets
from handover.services.access import create_access_transfer
from handover.services.items import create_item

SECRETS = [
    ("password=Winter2026!", "“password” followed by a value"),
    ("db passwd: hunter2", "“passwd” followed by a value"),
    ("secret = abc", "“secret” followed by a value"),
    ("use token=ghs_live_0123", "“token” followed by a value"),
    ("API_KEY=0123456789", "“API_KEY” followed by a value"),
    ("https://portal.example.com/admin?token=abcdef", "“token” followed by a value"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----", "a private key block"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key block"),
    ("key AKIAIOSFODNN7EXAMPLE for S3", "an AWS access key"),
    ("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "a GitHub token"),
    ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "a payment-provider secret key"),
    ("the key is 9fQ2xLm7Rt4ZpW8vKc3NbH6yJd1sGa5E", "a long generated-looking key or token"),
]

HARMLESS = [
    "kv/portal/production/db-password",  # a vault path naming what it holds, not the value
    "secret/data/customer-portal/admin",
    "Reset the password through the identity portal; the runbook explains how.",
    "https://docs.google.com/document/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit",
    "Commit 3f5a9c0e2b7d41f6a8c9e0d1b2a3f4e5c6d7e8f9 fixed it",
    "Token rotation is done by the security team every 90 days.",
    "",
]


@pytest.mark.parametrize(("text", "found"), SECRETS)
def test_secret_looking_text_is_found_and_described_without_quoting_it(text, found):
    assert find_secret(text) == found
    with pytest.raises(ValidationError) as refused:
        reject_secrets(text)
    message = refused.value.messages[0]
    assert found in message
    assert "vault path" in message
    assert text not in message


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_text_passes(text):
    assert find_secret(text) is None
    reject_secrets(text)


@pytest.mark.django_db
def test_every_free_text_field_of_an_access_transfer_refuses_secrets(plan, manager, support_team):
    clean = {
        "system": "Payment console",
        "access_level": "admin",
        "current_holder": "Dana Developer",
        "receiving_team": support_team,
        "credential_location": "kv/payments/admin",
        "notes": "",
    }
    for field in ["system", "access_level", "current_holder", "credential_location", "notes"]:
        with pytest.raises(ValidationError) as refused:
            create_access_transfer(plan=plan, actor=manager, **{**clean, field: "password=hunter2"})
        assert list(refused.value.message_dict) == [field]
    assert not AccessTransfer.objects.exists()


@pytest.mark.django_db
def test_item_evidence_and_reasons_refuse_secrets(plan, manager, support_team):
    with pytest.raises(ValidationError) as refused:
        create_item(
            plan=plan, actor=manager, title="Admin logon", description="pwd: x", receiving_team=support_team
        )
    assert "description" in refused.value.message_dict
    assert not HandoverItem.objects.exists()


@pytest.mark.django_db
def test_the_form_explains_the_refusal_next_to_the_field_and_keeps_the_input(
    plan, members, support_team, client_for
):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("handover:access_create", args=[plan.release_id]),
        {
            "system": "Payment console",
            "access_level": "admin",
            "current_holder": "Dana",
            "receiving_team": support_team.pk,
            "credential_location": "the password=Summer2026 is on the whiteboard",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "never stores passwords" in form.errors["credential_location"][0]
    assert b'value="Payment console"' in response.content
    assert not AccessTransfer.objects.exists()
