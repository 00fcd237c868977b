"""The demo's people and the role each plays on every demo release."""

from golive.choices import Role
from golive.services.releases import add_member

DEMO_ROLES = {
    "manager": Role.RELEASE_MANAGER,
    "owner": Role.PRODUCT_OWNER,
    "dev": Role.SCRUM_TEAM,
    "stakeholder": Role.STAKEHOLDER,
    "support": Role.PRODUCTION_SUPPORT,
}


def add_demo_team(release, users: dict, *, actor) -> None:
    """The rest of the demo team joins a release its release manager (`actor`) just created."""
    for username, role in DEMO_ROLES.items():
        if role != Role.RELEASE_MANAGER:
            add_member(release=release, user=users[username], role=role, actor=actor)
