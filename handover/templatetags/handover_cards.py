from django import template
from django.conf import settings

from handover.disband import disband_state
from handover.permissions import is_team_member
from handover.selectors import release_card

register = template.Library()


@register.inclusion_tag("handover/_release_card.html")
def handover_card(release, user):
    """The handover card on the release page, which golive renders without knowing about handover."""
    card = release_card(release)
    for team in card.get("teams", []):
        team.is_mine = is_team_member(user, team)
    if card["plan"] is not None:
        card["disband"] = disband_state(card["plan"])
        card["min_holders"] = settings.HANDOVER_MIN_VERIFIED_HOLDERS
    return {"release": release, **card}
