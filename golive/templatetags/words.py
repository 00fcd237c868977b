"""How pages say things to people: one date/time style, relative times, a label for every code, and the
activity trail as sentences.

    {% load words %}
    {{ step.started_at|when }}             4 Dec 2026, 17:09   (style: config/formats, TIME_ZONE)
    {{ release.target_date|relative }}     <time title="4 Dec 2026, 17:09">in 3 days</time>
    {{ decision.computed_outcome|label }}  Go with conditions
    {{ event|sentence }}                   Maria Rossi moved the release from Go to Deploying — “reason”
"""

import datetime

from django import template
from django.apps import apps
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil

register = template.Library()


def _choice_labels() -> dict[str, str]:
    """Every stored choice value of every model field, with its label (the first label wins), after the
    codes no field lists, which an app names in its AppConfig's `code_labels`."""
    labels: dict[str, str] = {}
    for config in apps.get_app_configs():
        labels.update(getattr(config, "code_labels", {}))
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for code, label in getattr(field, "flatchoices", None) or []:
                if isinstance(code, str) and code:
                    labels.setdefault(code, str(label))
    return labels


_LABELS: dict[str, str] | None = None


def code_label(code) -> str:
    """The label people read for a stored code; an unknown code is turned into words, never shown raw."""
    global _LABELS
    if isinstance(code, models.Choices):
        return str(code.label)
    if code is None or code == "":
        return ""
    if _LABELS is None:
        _LABELS = _choice_labels()
    text = str(code)
    return _LABELS.get(text) or text.replace("_", " ").replace(".", " ").strip().capitalize()


@register.filter
def label(code) -> str:
    return code_label(code)


@register.filter
def when(value, style: str = "DATETIME_FORMAT") -> str:
    """A date or time in the one style of the product (in TIME_ZONE); style may be DATE_FORMAT."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = parse_datetime(value) or parse_date(value) or value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, style)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, datetime.time):
        return formats.time_format(value, "TIME_FORMAT")
    return str(value)


def relative_words(value, now=None) -> str:
    now = now or timezone.now()
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        moment = datetime.datetime.combine(value, datetime.time.min, tzinfo=timezone.get_current_timezone())
        if isinstance(value, datetime.date) and value == timezone.localdate(now):
            return "today"
    if abs((moment - now).total_seconds()) < 60:
        return "just now"
    if moment > now:
        return "in " + timeuntil(moment, now, depth=1)
    return timesince(moment, now, depth=1) + " ago"


@register.filter
def relative(value) -> str:
    """“in 3 days” / “12 minutes ago”, with the exact time on hover and for assistive technology."""
    if value in (None, ""):
        return ""
    exact = when(value)
    machine = value.isoformat()
    return format_html('<time datetime="{}" title="{}">{}</time>', machine, exact, relative_words(value))


# Verbs whose sentence is not simply “<verb> the <thing>”.
_PHRASES = {
    "status_changed": "moved {noun}",
    "state_changed": "moved {noun}",
    "changed": "changed {noun}",
    "created": "added {noun}",
    "drafted": "drafted {noun}",
    "requested": "requested {noun}",
    "waiver_proposed": "proposed a waiver for {noun}",
    "attendance_changed": "recorded attendance for {noun}",
    "signed_off": "signed off {noun}",
    "given": "gave {noun}",
    "withdrawn": "withdrew {noun}",
    "done": "marked {noun} as done",
    "down": "saw {noun} go down",
    "up": "saw {noun} come back up",
    "reported": "reported {noun}",
    "acknowledged": "recorded the acknowledgement of {noun}",
}


def sentence_for(event) -> str:
    """An activity event as a sentence: who did what to which thing, with the move and the reason."""
    thing, _, action = event.verb.partition(".")
    noun = "the " + thing.replace("_", " ")
    phrase = _PHRASES.get(action, action.replace("_", " ") + " {noun}").format(noun=noun)
    actor = event.actor_name or "The system"
    text = f"{actor} {phrase}"
    if event.target_repr and event.target_repr.lower() not in noun:
        text += f" “{event.target_repr}”"
    moved = (event.labels or {}).get("status") or (event.labels or {}).get("state")
    if action in {"status_changed", "state_changed"} and isinstance(moved, list) and len(moved) == 2:
        text += f" from {moved[0]} to {moved[1]}"
    elif action in {"status_changed", "state_changed"}:
        pair = (event.changes or {}).get("status") or (event.changes or {}).get("state")
        if isinstance(pair, list) and len(pair) == 2:
            text += f" from {code_label(pair[0])} to {code_label(pair[1])}"
    reason = (event.data or {}).get("reason")
    if reason:
        text += f" — “{reason}”"
    return text


@register.filter
def sentence(event) -> str:
    return sentence_for(event)


@register.filter
def shown(value):
    """A recorded value as people read it: an ISO date or time in the product's style, anything else as is."""
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-":
        parsed = parse_datetime(value) or parse_date(value)
        if parsed is not None:
            return when(parsed)
    return value
