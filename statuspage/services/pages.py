"""Setting up an application's status page: a release manager of one of its releases does it."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from golive.audit import record_event
from golive.models import Release
from golive.permissions import Action, person, require
from statuspage.models import StatusPage, Visibility
from statuspage.snapshot import forget_status_pages


def status_page_of(application: str) -> StatusPage | None:
    """The application's status page, matched as releases name it (case-insensitively), or None."""
    return StatusPage.objects.filter(application__iexact=application.strip()).first()


@transaction.atomic
def save_status_page(*, release: Release, actor: AbstractBaseUser, visibility: str) -> StatusPage:
    """Create the status page of the release's application, or change who may read it."""
    require(actor, release, Action.MANAGE_STATUS_PAGE)
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": "Choose public or sign-in only."})
    page = status_page_of(release.application)
    if page is None:
        slug = slugify(release.application)[:200]
        if not slug:
            raise ValidationError(
                "The application's name has no letters or digits to build the page's address from."
            )
        if StatusPage.objects.filter(slug=slug).exists():
            raise ValidationError(f"Another application's status page already has the address “{slug}”.")
        page = StatusPage(application=release.application.strip(), slug=slug, visibility=visibility)
        page.created_by = person(actor)
        page.full_clean()
        page.save()
        record_event(
            verb="status_page.created",
            actor=actor,
            target=page,
            release=release,
            data={"application": page.application, "visibility": visibility},
        )
    elif page.visibility != visibility:
        old = page.visibility
        page.visibility = visibility
        page.save(update_fields=["visibility"])
        record_event(
            verb="status_page.changed", actor=actor, target=page, release=release,
            changes={"visibility": [old, visibility]},
        )  # fmt: skip
    forget_status_pages()
    return page
