from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from golive.services.redaction import redactable_fields

register = template.Library()


@register.filter
def is_redactable(event) -> bool:
    """The event's record has fields a secret could have been pasted into (content types are cached)."""
    if not event.target_type_id or not event.target_id.isdigit():
        return False
    model = ContentType.objects.get_for_id(event.target_type_id).model_class()
    return model is not None and bool(redactable_fields(model))


@register.simple_tag
def redact_url(release, record) -> str:
    """The redact page of a record of `release` (content types are cached: no query)."""
    content_type = ContentType.objects.get_for_model(record)
    return reverse("golive:redact", args=[release.pk, content_type.pk, record.pk])
