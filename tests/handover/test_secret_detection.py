"""Secret-looking text is refused everywhere in the handover app, with an explanation; nothing is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from golive.choices import Role
from golive.secret_detection import find_secret, reject_secrets
from handover.models import AccessTransfer, HandoverItem
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

URL_CREDENTIALS = "a user name and password in a URL or connection string"
# The shapes seen getting through, and their relatives: credentials in URLs and connection strings,
# passwords given in a sentence, and the token formats of GitLab, npm and PyPI.
SECRETS += [
    ("postgres://payroll_admin:S3cretPayroll@db/payroll", URL_CREDENTIALS),
    ("postgresql://app:pa55word@db.internal:5432/portal?sslmode=require", URL_CREDENTIALS),
    ("mysql://root:toor@127.0.0.1/shop", URL_CREDENTIALS),
    ("mongodb+srv://svc_portal:Xy7pQ2rs@cluster0.example.net/app", URL_CREDENTIALS),
    ("redis://default:r3dis-pass@cache.internal:6379/0", URL_CREDENTIALS),
    ("amqp://guest:guest@rabbit.internal:5672/", URL_CREDENTIALS),
    ("https://admin:S3cretPortal@portal.example.com/admin", URL_CREDENTIALS),
    ("See https://deploy:Tr0ub4dor@ci.example.com/job/42 for the run", URL_CREDENTIALS),
    ("ftp://backup:backup2026@files.example.com/nightly", URL_CREDENTIALS),
    ("sftp://ops:correct-horse@sftp.example.com", URL_CREDENTIALS),
    ("ldap://cn=admin:LdapAdm1n@ldap.example.com", URL_CREDENTIALS),
    ("smtp://mailer:m4iler!@smtp.example.com:587", URL_CREDENTIALS),
    ("the admin password is Hunter2Payroll", "“password is” followed by a value"),
    ("The root password was 'letmein'", "“password is” followed by a value"),
    ("Password is: Summer2026", "“Password is” followed by a value"),
    ("the wifi passphrase is c0ffee-and-cake", "“passphrase is” followed by a value"),
    ("the pwd is Adm1n!", "“pwd is” followed by a value"),
    ("the passcode is 481516", "“passcode is” followed by a value"),
    ("the new password will be “Autumn#2026”", "“password is” followed by a value"),
    ("pwd: Adm1n!", "“pwd” followed by a value"),
    ("PWD=Adm1n!", "“PWD” followed by a value"),
    ("Server=db;Database=payroll;User Id=sa;Password=Sa2026!;", "“Password” followed by a value"),
    ("jdbc:postgresql://db/payroll?user=app&password=s3cret", "“password” followed by a value"),
    ("client_secret: 8d7f6e5c4b3a", "“client_secret” followed by a value"),
    ("access_token=ya29.a0Af", "“access_token” followed by a value"),
    ("glpat-xK9mPqR2sT4vW6yZ8aB1", "a GitLab token"),
    ("deploy token glpat-AbCdEfGhIjKlMnOpQrSt_-12 for the registry", "a GitLab token"),
    ("npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "an npm token"),
    ("publish with npm_ZZ12yy34XX56ww78VV90uu12TT34ss56RR78", "an npm token"),
    ("pypi-AgEIcHlwaS5vcmcCJDUxYTc4ZTY1LWI2ZjEtNDhlYy05YmI3LTc1YjM0ZjI1NmUzNQACKlszLCJ", "a PyPI token"),
    ("Authorization: Bearer 0a1b2c3d4e5f6a7b8c9d0e1f2a3b", "a bearer token"),
    ("xoxb-123456789012-abcdefghijkl", "a Slack token"),
    ("ASIAY34FZKBOKMUTVV7A", "an AWS access key"),
    (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "a JSON web token",
    ),
    ("gho_16C7e42F292c6912E7710c838347Ae178B4a", "a GitHub token"),
]

HARMLESS = [
    "kv/portal/production/db-password",  # a vault path naming what it holds, not the value
    "secret/data/customer-portal/admin",
    "Reset the password through the identity portal; the runbook explains how.",
    "https://docs.google.com/document/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit",
    "Commit 3f5a9c0e2b7d41f6a8c9e0d1b2a3f4e5c6d7e8f9 fixed it",
    "Token rotation is done by the security team every 90 days.",
    "",
    # Ordinary vault paths and password-manager entries: where a credential is kept, not the credential.
    "vault:kv/payroll/db",
    "vault:kv/portal/production/payment-console",
    "kv/payroll/db-admin",
    "op://Infrastructure/Payroll DB/password",
    "1Password: Infrastructure vault, entry “Payroll DB admin”",
    "KeePass file ops.kdbx, group Payroll",
    "AWS Secrets Manager: prod/payroll/db",
    "Azure Key Vault kv-payroll-prod, secret db-admin",
    "secret/data/payroll/db (HashiCorp Vault)",
    # URLs without credentials, with a user name only, or with ports and queries.
    "https://portal.example.com/admin",
    "https://wiki.example.com/display/OPS/Payroll+runbook?version=3",
    "postgres://db.internal:5432/payroll",
    "ssh://git@git.example.com/portal.git",
    "https://user@portal.example.com/",
    "http://[::1]:8080/health",
    "mailto:ops@example.com",
    "https://grafana.example.com/d/abc123/payroll?orgId=1&from=now-24h",
    "https://sharepoint.example.com/sites/ops/Shared%20Documents/Handover.docx",
    "https://jira.example.com/browse/PAY-1234",
    # Sentences that mention passwords and tokens without giving one.
    "The password is kept in the vault.",
    "The admin password is rotated monthly by the DBA team.",
    "The password is managed by the identity team",
    "The password is in the vault under kv/payroll/db.",
    "Password reset is self-service.",
    "Ask the service desk if the pwd is forgotten.",
    "The API key is requested through the developer portal.",
    "Tokens are issued per pipeline and expire after one hour.",
    "Secret scanning runs on every merge request.",
    "npm install and pypi upload run in CI.",
    "glpat tokens are not used here; we use deploy keys.",
    "Bearer tokens expire after 15 minutes.",
    # Everyday handover text.
    "Restart the payroll service with systemctl restart payroll.",
    "Backups run nightly at 02:00 and are kept 30 days.",
    "Contact: Dana Developer, +44 20 7946 0000",
    "Version 2.14.3 deployed on 2026-12-04 at 18:30 UTC.",
    "SHA256: 3f5a9c0e2b7d41f6a8c9e0d1b2a3f4e5",
    "Ticket INC0012345 covers the outage.",
    "Rollback: redeploy build 2026.12.04-1 from the release pipeline.",
    "Port 5432 must be open from app01 to db01.",
    "The on-call rota is in PagerDuty, schedule Payroll.",
]


def test_the_table_is_large_enough_to_mean_something():
    assert len(SECRETS) >= 40 and len(HARMLESS) >= 40


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


# Coverage: every free-text and URL field of the handover and of the release's registers runs the one
# detector, on the model field, so forms and the API both apply it.

RECORDS_WITH_FREE_TEXT = [
    "handover.HandoverItem",
    "handover.AccessTransfer",
    "handover.TrainingSession",
    "handover.RequiredDocument",
    "handover.HandoverPlan",
    "handover.SupportTeam",
    "handover.SignOff",
    "handover.SignOffInvalidation",
    "registers.Risk",
    "registers.Defect",
    "runbook.GoLiveStep",
    "communications.ProductionIssue",
    "communications.Communication",
]
# Written by the product itself, never typed by a person.
SYSTEM_WRITTEN = {"RequiredDocument.original_name", "Communication.error", "Communication.automatic_cause"}


def _free_text_fields():
    from django.apps import apps
    from django.db import models

    for label in RECORDS_WITH_FREE_TEXT:
        model = apps.get_model(label)
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.CharField | models.TextField)
                and not field.choices
                and f"{model.__name__}.{field.name}" not in SYSTEM_WRITTEN
            ):
                yield pytest.param(field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize("field", list(_free_text_fields()))
def test_every_free_text_and_url_field_runs_the_detector(field):
    assert reject_secrets in field.validators


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("credential_location", "postgres://payroll_admin:S3cretPayroll@db/payroll"),
        ("notes", "the admin password is Hunter2Payroll"),
    ],
)
def test_the_reported_access_entries_are_refused(field, value, plan, members, support_team, client_for):
    data = {
        "system": "Payroll database",
        "access_level": "admin",
        "current_holder": "Dana",
        "receiving_team": support_team.pk,
        "credential_location": "vault:kv/payroll/db",
        field: value,
    }
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("handover:access_create", args=[plan.release_id]), data
    )
    assert response.status_code == 200
    assert "looks like it contains a secret" in response.context["form"].errors[field][0]
    assert not AccessTransfer.objects.exists()


@pytest.mark.django_db
def test_credentials_in_a_document_link_and_in_evidence_are_refused(
    plan, members, support_team, make_item, client_for
):
    client = client_for(members[Role.RELEASE_MANAGER])
    document = plan.documents.first()
    response = client.post(
        reverse("handover:document_edit", args=[plan.release_id, document.pk]),
        {"link": "https://admin:S3cretPortal@wiki.example.com/handover", "version": "1", "status": "draft"},
    )
    assert "user name and password in a URL" in response.context["form"].errors["link"][0]
    item = make_item(support_team)
    response = client.post(
        reverse("handover:item_deliver", args=[plan.release_id, item.pk]),
        {"link": "https://admin:S3cretPortal@wiki.example.com/manual"},
    )
    assert "user name and password in a URL" in response.context["form"].errors["link"][0]
    document.refresh_from_db()
    item.refresh_from_db()
    assert (document.link, item.status) == ("", "open")


@pytest.mark.django_db
def test_a_runbook_skip_reason_holding_a_password_is_refused(go_release, members):
    from runbook.services.execution import skip_step

    step = go_release.steps.first()
    with pytest.raises(ValidationError) as refused:
        skip_step(step=step, actor=members[Role.RELEASE_MANAGER], reason="Done by hand, pwd: Adm1n!")
    assert "reason" in refused.value.message_dict
    step.refresh_from_db()
    assert step.status == "pending"
