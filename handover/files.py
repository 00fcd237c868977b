"""Uploaded handover files: kept under MEDIA_ROOT, never given a public URL, checked for size and type.

Handover documents describe production systems, so they are served only by a view that checks the
reader is a member of the release (handover.views.files). The storage refuses to build a URL, so a
template can never link to a file through MEDIA_URL by mistake.
"""

from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat


class PrivateFileStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Handover files have no public URL; link to the member-only download view.")


def private_storage() -> PrivateFileStorage:
    return PrivateFileStorage()


def upload_path(instance, filename: str) -> str:
    # A random directory per upload: names never collide and are not guessable from the release.
    return f"handover/{instance.plan_id}/{uuid4().hex}/{PurePath(filename).name}"


# What the first bytes of a file of each type look like. An upload whose content does not match its name
# is refused: a renamed executable should not be handed to the next reader as "report.pdf".
_SIGNATURES = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
}
_TEXT_TYPES = {"txt", "md", "csv"}


def _content_matches(uploaded, extension: str) -> bool:
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    if extension in _SIGNATURES:
        return head.startswith(_SIGNATURES[extension])
    if extension in _TEXT_TYPES:
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # The sample may end in the middle of a character; only an error before that counts.
            return error.start >= len(head) - 3
    return True


def validate_upload(uploaded) -> None:
    max_bytes = settings.HANDOVER_UPLOAD_MAX_BYTES
    allowed = {extension.lower().lstrip(".") for extension in settings.HANDOVER_UPLOAD_EXTENSIONS}
    extension = PurePath(uploaded.name).suffix.lower().lstrip(".")
    if extension not in allowed:
        raise ValidationError(
            "Files of type “.%(extension)s” are not accepted. Allowed: %(allowed)s.",
            code="file_type",
            params={"extension": extension or "(none)", "allowed": ", ".join(sorted(allowed))},
        )
    if uploaded.size > max_bytes:
        raise ValidationError(
            "The file is %(size)s; the limit is %(limit)s.",
            code="file_size",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(max_bytes)},
        )
    if not _content_matches(uploaded, extension):
        raise ValidationError(
            "The file's content is not that of a .%(extension)s file; upload the document itself.",
            code="file_content",
            params={"extension": extension},
        )
