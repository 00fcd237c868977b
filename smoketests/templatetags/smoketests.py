from django import template

from smoketests.selectors import release_smoke_summary

register = template.Library()


@register.simple_tag
def smoke_summary(release) -> dict:
    """The release page's smoke card data, without the release view having to know about smoke tests."""
    return release_smoke_summary(release)
