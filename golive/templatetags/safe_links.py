from django import template
from django.utils.html import format_html

from golive.links import is_safe_link

register = template.Library()


@register.simple_tag
def external_link(url, label="link"):
    """A link to a stored address; any other scheme (javascript:, data:, …) is shown as plain text."""
    if not url:
        return ""
    if is_safe_link(url):
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', url.strip(), label)
    return format_html('<span class="text-break" data-testid="unsafe-link">{}</span>', url)
