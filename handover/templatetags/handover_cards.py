from django import template

from handover.permissions import is_team_member
from handover.selectors import release_card

register = template.Library()


@register.inclusion_tag("handover/_release_card.html")
def handover_card(release, user):
    """The handover card on the release page, which golive renders without knowing about handover."""
    card = release_card(release)
    for team in card.get("teams", []):
        team.is_mine = is_team_member(user, team)
    return {"release": release, **card}
