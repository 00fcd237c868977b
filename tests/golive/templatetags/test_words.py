import datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from golive.templatetags.words import code_label, relative_words, sentence_for, shown, when


def _at(*parts):
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


def test_times_use_one_24_hour_style_in_the_configured_time_zone(settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    assert when(_at(2026, 12, 4, 16, 9)) == "4 Dec 2026, 17:09"
    assert when(_at(2026, 12, 4, 16, 9), "DATE_FORMAT") == "4 Dec 2026"
    assert (
        Template("{{ moment }}").render(Context({"moment": _at(2026, 12, 4, 16, 9)})) == "4 Dec 2026, 17:09"
    )


def test_a_recorded_iso_time_is_shown_in_the_same_style_and_other_values_as_they_are():
    assert shown("2026-12-04T16:48:18.244058+00:00") == "4 Dec 2026, 16:48"
    assert shown("Deploying") == "Deploying"


def test_relative_times_say_how_far_and_keep_the_exact_time_on_hover():
    now = _at(2026, 12, 4, 12, 0)
    assert relative_words(_at(2026, 12, 7, 12, 0), now) == "in 3\xa0days"
    assert relative_words(_at(2026, 12, 4, 11, 48), now) == "12\xa0minutes ago"
    html = Template("{% load words %}{{ moment|relative }}").render(Context({"moment": _at(2026, 12, 7, 12)}))
    assert 'title="7 Dec 2026, 12:00"' in html and 'datetime="2026-12-07T12:00:00+00:00"' in html


@pytest.mark.django_db
def test_every_code_has_a_label():
    assert code_label("CONDITIONAL_GO") == "Go with conditions"
    assert code_label("NO_QUORUM") == "No quorum"
    assert code_label("in_progress") == "In progress"
    assert code_label("handed_over") == "Handed over"
    assert code_label("something_new") == "Something new"


def test_activity_reads_as_a_sentence_with_the_move_and_the_reason():
    event = SimpleNamespace(
        verb="release.status_changed",
        actor_name="Maria Rossi",
        target_repr="Customer Portal",
        changes={"status": ["go", "deploying"]},
        labels={"status": ["Go", "Deploying"]},
        data={"reason": "window opened"},
    )
    assert sentence_for(event) == (
        "Maria Rossi moved the release “Customer Portal” from Go to Deploying — “window opened”"
    )
    created = SimpleNamespace(
        verb="risk.created", actor_name="", target_repr="Data loss", changes={}, labels={}, data={}
    )
    assert sentence_for(created) == "The system added the risk “Data loss”"
