from django import template

from handover.selectors import release_card

register = template.Library()


@register.inclusion_tag("handover/_release_card.html")
def handover_card(release):
    """The handover card on the release page, which golive renders without knowing about handover."""
    return {"release": release, **release_card(release)}
