"""Uploads: size and type limits, stored under MEDIA_ROOT, downloadable only by members of the release."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from golive.choices import Role
from handover.choices import DocumentStatus, ItemStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HANDOVER_UPLOAD_MAX_BYTES = 1024
    settings.HANDOVER_UPLOAD_EXTENSIONS = ["pdf", "txt"]


def _document_url(plan, name="handover:document_edit"):
    document = plan.documents.get(kind="configuration_report")
    return document, reverse(name, args=[plan.release_id, document.pk])


def _post_document(client, url, upload, **extra):
    return client.post(url, {"upload": upload, "version": "1.2", "status": DocumentStatus.FINAL, **extra})


def test_an_upload_is_stored_under_media_root_and_served_to_members(plan, members, client_for, tmp_path):
    document, url = _document_url(plan)
    upload = SimpleUploadedFile("config-report.pdf", b"%PDF-1.7 report", content_type="application/pdf")

    response = _post_document(client_for(members[Role.SCRUM_TEAM]), url, upload)

    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.original_name, document.version, document.status) == (
        "config-report.pdf",
        "1.2",
        "final",
    )
    stored = tmp_path / document.file.name
    assert stored.read_bytes() == b"%PDF-1.7 report"
    download = client_for(members[Role.VENDOR_SUPPORT]).get(
        reverse("handover:document_file", args=[plan.release_id, document.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7 report"
    assert 'attachment; filename="config-report.pdf"' in download["Content-Disposition"]
    with pytest.raises(ValueError, match="no public URL"):
        document.file.url  # noqa: B018


def test_non_members_get_404_for_files(plan, members, stranger, client_for):
    document, url = _document_url(plan)
    _post_document(client_for(members[Role.RELEASE_MANAGER]), url, SimpleUploadedFile("r.pdf", b"%PDF"))
    file_url = reverse("handover:document_file", args=[plan.release_id, document.pk])
    assert client_for(stranger).get(file_url).status_code == 404


def test_a_too_large_upload_is_refused_next_to_the_field_and_nothing_is_lost(plan, members, client_for):
    document, url = _document_url(plan)
    client = client_for(members[Role.RELEASE_MANAGER])
    _post_document(client, url, SimpleUploadedFile("v1.pdf", b"%PDF first version"))

    response = _post_document(client, url, SimpleUploadedFile("v2.pdf", b"x" * 2048), version="2.0")

    assert response.status_code == 200
    assert response.context["form"].errors["upload"] == ["The file is 2.0\xa0KB; the limit is 1.0\xa0KB."]
    document.refresh_from_db()
    assert (document.original_name, document.version) == ("v1.pdf", "1.2")


def test_a_disallowed_type_is_refused(plan, members, client_for):
    document, url = _document_url(plan)
    response = _post_document(
        client_for(members[Role.RELEASE_MANAGER]), url, SimpleUploadedFile("tool.exe", b"MZ")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["upload"] == [
        "Files of type “.exe” are not accepted. Allowed: pdf, txt."
    ]
    document.refresh_from_db()
    assert not document.file


def test_a_final_status_needs_a_file_or_link(plan, members, client_for):
    document, url = _document_url(plan)
    response = client_for(members[Role.RELEASE_MANAGER]).post(url, {"status": DocumentStatus.FINAL})
    assert response.status_code == 200
    assert "Upload the document or give a link" in response.context["form"].errors["__all__"][0]


def test_delivery_evidence_file_is_member_only(plan, members, stranger, client_for, support_team, make_item):
    item = make_item(support_team)
    client = client_for(members[Role.SCRUM_TEAM])
    response = client.post(
        reverse("handover:item_deliver", args=[plan.release_id, item.pk]),
        {"file": SimpleUploadedFile("evidence.txt", b"restore test log")},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.DELIVERED
    evidence_url = reverse("handover:item_evidence_file", args=[plan.release_id, item.pk])
    assert client_for(stranger).get(evidence_url).status_code == 404
    served = client_for(members[Role.PRODUCTION_SUPPORT]).get(evidence_url)
    assert b"".join(served.streaming_content) == b"restore test log"


def test_delivery_without_evidence_is_a_form_error(plan, members, client_for, support_team, make_item):
    item = make_item(support_team)
    response = client_for(members[Role.SCRUM_TEAM]).post(
        reverse("handover:item_deliver", args=[plan.release_id, item.pk]), {"note": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Give the evidence of delivery: a note, a link or a file."
    ]
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("report.pdf", b"%PDF-1.4 ...", True),
        ("report.pdf", b"MZ\x90\x00 an executable", False),
        ("notes.txt", "Überblick: restore steps".encode(), True),
        ("notes.txt", b"\x00\x01\x02 binary", False),
    ],
)
def test_content_must_match_the_file_type(name, content, accepted, plan, members, client_for):
    document, url = _document_url(plan)
    response = _post_document(
        client_for(members[Role.RELEASE_MANAGER]), url, SimpleUploadedFile(name, content)
    )
    document.refresh_from_db()
    if accepted:
        assert response.status_code == 302
        assert document.original_name == name
    else:
        assert response.context["form"].errors["upload"] == [
            f"The file's content is not that of a .{name.rsplit('.', 1)[1]} file; upload the document itself."
        ]
        assert not document.file
