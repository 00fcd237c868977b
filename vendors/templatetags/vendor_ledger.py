from django import template

from vendors.selectors import vendor_summary

register = template.Library()


@register.simple_tag
def vendor_ledger_summary(release) -> dict:
    """The release page's vendor card data, without the release view having to know about vendors."""
    return vendor_summary(release)
