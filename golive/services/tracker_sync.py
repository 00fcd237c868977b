"""Synchronise defects from an issue tracker: create or update by the tracker's key, idempotently."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from golive.models import Defect, Release
from golive.services.defects import create_defect, update_defect


@dataclass(frozen=True)
class UpsertResult:
    defect: Defect
    created: bool


@transaction.atomic
def upsert_defect(*, release: Release, actor: AbstractBaseUser, external_key: str, **values) -> UpsertResult:
    """The defect with this tracker key, created or updated with `values`; a repeat changes nothing.

    The release row is locked first, so two syncs sending the same new key at once are ordered: the
    second finds the defect the first created and updates it instead of failing on the unique key.
    """
    external_key = external_key.strip()
    if not external_key:
        raise ValidationError({"external_key": "The tracker key is required to match defects."})
    Release.objects.select_for_update().filter(pk=release.pk).first()
    existing = Defect.objects.filter(release=release, external_key=external_key).first()
    if existing is None:
        defect = create_defect(release=release, actor=actor, external_key=external_key, **values)
        return UpsertResult(defect=defect, created=True)
    return UpsertResult(defect=update_defect(defect=existing, actor=actor, **values), created=False)
