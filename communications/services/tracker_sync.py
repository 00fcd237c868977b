"""Synchronise risks and defects from a tracker: create or update by the tracker's key, idempotently."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction

from golive.models import Release
from registers.models import Defect, Risk
from registers.services.defects import create_defect, update_defect
from registers.services.risks import create_risk, update_risk


@dataclass(frozen=True)
class UpsertResult:
    record: models.Model
    created: bool


def _upsert(
    *,
    model: type[models.Model],
    create: Callable,
    update: Callable,
    record_argument: str,
    release: Release,
    actor: AbstractBaseUser,
    external_key: str,
    values: dict,
) -> UpsertResult:
    """The record with this tracker key, created or updated with `values`; a repeat changes nothing.

    The release row is locked first, so two syncs sending the same new key at once are ordered: the
    second finds the record the first created and updates it instead of failing on the unique key.
    """
    external_key = external_key.strip()
    if not external_key:
        raise ValidationError({"external_key": "The tracker key is required to match records."})
    Release.objects.select_for_update().filter(pk=release.pk).first()
    existing = model.objects.filter(release=release, external_key=external_key).first()
    if existing is None:
        return UpsertResult(
            record=create(release=release, actor=actor, external_key=external_key, **values), created=True
        )
    return UpsertResult(record=update(**{record_argument: existing}, actor=actor, **values), created=False)


@transaction.atomic
def upsert_defect(*, release: Release, actor: AbstractBaseUser, external_key: str, **values) -> UpsertResult:
    return _upsert(
        model=Defect,
        create=create_defect,
        update=update_defect,
        record_argument="defect",
        release=release,
        actor=actor,
        external_key=external_key,
        values=values,
    )


@transaction.atomic
def upsert_risk(*, release: Release, actor: AbstractBaseUser, external_key: str, **values) -> UpsertResult:
    return _upsert(
        model=Risk,
        create=create_risk,
        update=update_risk,
        record_argument="risk",
        release=release,
        actor=actor,
        external_key=external_key,
        values=values,
    )
