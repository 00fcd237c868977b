"""Synchronise defects from an issue tracker: create or update by the tracker's key, idempotently."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from golive.models import Defect, Release
from golive.services.defects import create_defect, update_defect


@dataclass(frozen=True)
class UpsertResult:
    defect: Defect
    created: bool


def upsert_defect(*, release: Release, actor: AbstractBaseUser, external_key: str, **values) -> UpsertResult:
    """The defect with this tracker key, created or updated with `values`; a repeat changes nothing.

    Two syncs racing on the same new key both pass validation; the unique constraint lets one insert
    win and the other then updates the row it wrote.
    """
    external_key = external_key.strip()
    if not external_key:
        raise ValidationError({"external_key": "The tracker key is required to match defects."})
    existing = Defect.objects.filter(release=release, external_key=external_key).first()
    if existing is None:
        try:
            with transaction.atomic():
                defect = create_defect(release=release, actor=actor, external_key=external_key, **values)
            return UpsertResult(defect=defect, created=True)
        except IntegrityError:
            existing = Defect.objects.get(release=release, external_key=external_key)
    return UpsertResult(defect=update_defect(defect=existing, actor=actor, **values), created=False)
