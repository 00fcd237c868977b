from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from golive.choices import DefectSeverity, Environment, Role
from golive.models import Release, ReleaseMembership
from registers.models import Defect, Risk


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("demo")


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    name = factory.Sequence(lambda n: f"Release {n}")
    application = "Customer Portal"
    version = factory.Sequence(lambda n: f"1.{n}.0")
    environment = Environment.PRODUCTION
    target_go_live = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReleaseMembership

    release = factory.SubFactory(ReleaseFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.SCRUM_TEAM


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    release = factory.SubFactory(ReleaseFactory)
    title = factory.Sequence(lambda n: f"Risk {n}")
    probability = 2
    impact = 3


class DefectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Defect

    release = factory.SubFactory(ReleaseFactory)
    title = factory.Sequence(lambda n: f"Defect {n}")
    severity = DefectSeverity.MINOR


def grant_permission(user, permission: str) -> None:
    """Give the user a Django permission ("app_label.codename") directly, as an administrator would."""
    app_label, codename = permission.split(".")
    user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def release_creator(username: str):
    """A person who may create releases (the "Can add release" permission), as the release-creating
    services require."""
    user = UserFactory(username=username)
    grant_permission(user, "golive.add_release")
    return user
