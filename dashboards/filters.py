"""Filters and sorting for the portfolio. Unknown or malformed values become form errors, never a 500."""

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet

from golive.choices import Environment, ReleaseStatus, Role
from readiness.rules import (
    READINESS_RANK,
    ReadinessState,
    readiness_count_expressions,
    readiness_rank_expression,
)

SORT_CHOICES = [
    ("target", "Target go-live, soonest first"),
    ("-target", "Target go-live, latest first"),
    ("-readiness", "Readiness, blocked first"),
    ("readiness", "Readiness, ready first"),
    ("name", "Name"),
    ("status", "Status"),
    ("-risks", "Most open risks"),
    ("-defects", "Most open defects"),
]
_SORT_FIELDS = {
    "target": ["target_go_live", "pk"],
    "readiness": ["readiness_rank", "target_go_live", "pk"],
    "name": ["name", "pk"],
    "status": ["status", "target_go_live", "pk"],
    "risks": ["open_risk_count", "target_go_live", "pk"],
    "defects": ["open_defect_count", "target_go_live", "pk"],
}


def _ordering(key: str) -> list:
    descending = key.startswith("-")
    fields = _SORT_FIELDS[key.lstrip("-")]
    if not descending:
        return fields
    # The tie-breakers keep their natural direction: equal rows stay in target-date order.
    return [F(fields[0]).desc(), *fields[1:]]


def _with_counts(queryset: QuerySet) -> QuerySet:
    """The readiness counts, computed in SQL only when a filter or the order needs them."""
    if "open_risk_count" in queryset.query.annotations:
        return queryset
    return queryset.alias(**readiness_count_expressions())


def _with_rank(queryset: QuerySet) -> QuerySet:
    if "readiness_rank" in queryset.query.annotations:
        return queryset
    return _with_counts(queryset).alias(readiness_rank=readiness_rank_expression())


class PortfolioFilter(django_filters.FilterSet):
    """Filters and orders the releases of selectors_dashboards.portfolio_releases; the rows' figures
    come from selectors_dashboards.portfolio_rows."""

    q = django_filters.CharFilter(method="filter_text", label="Search", max_length=100)
    status = django_filters.MultipleChoiceFilter(
        choices=ReleaseStatus.choices, widget=forms.CheckboxSelectMultiple, label="Status"
    )
    environment = django_filters.ChoiceFilter(
        choices=Environment.choices, empty_label="Any environment", label="Environment"
    )
    readiness = django_filters.ChoiceFilter(
        choices=ReadinessState.choices,
        method="filter_readiness",
        empty_label="Any readiness",
        label="Readiness",
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine", widget=forms.CheckboxInput, label="Only releases I am a member of"
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, method="filter_role", empty_label="Any role of mine", label="My role"
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="sort_by", empty_label=None, label="Sort by"
    )

    class Meta:
        fields = ["q", "status", "environment", "readiness", "mine", "role", "sort"]

    def controls(self) -> dict:
        """What the filter form shows, worked out without building the form: the portfolio page is
        rendered very often, and Django's widgets render each option through a template of its own."""
        data = self.data or {}

        def options(name: str) -> list[tuple[str, str, bool]]:
            chosen = data.get(name, "")
            return [(value, label, value == chosen) for value, label in _SELECT_OPTIONS[name]]

        chosen_statuses = set(data.getlist("status")) if hasattr(data, "getlist") else set()
        return {
            "q": data.get("q", ""),
            "mine": bool(data.get("mine")),
            "statuses": [(value, label, value in chosen_statuses) for value, label in ReleaseStatus.choices],
            "selects": [
                {"name": name, "label": self.base_filters[name].label, "options": options(name)}
                for name in _SELECT_OPTIONS
            ],
        }

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__icontains=value) | Q(application__icontains=value) | Q(version__icontains=value)
        )

    def filter_readiness(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _with_rank(queryset).filter(readiness_rank=READINESS_RANK[ReadinessState(value)])

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(pk__in=self.request.user.memberships.values("release_id"))

    def filter_role(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=self.request.user.memberships.filter(role=value).values("release_id"))

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value.lstrip("-") == "readiness":
            queryset = _with_rank(queryset)
        elif value.lstrip("-") in ("risks", "defects"):
            queryset = _with_counts(queryset)
        return queryset.order_by(*_ordering(value))

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The default order applies when no valid sort was asked for.
        return super().filter_queryset(queryset.order_by(*_ordering("target")))


def _select_options(name: str) -> list[tuple[str, str]]:
    extra = PortfolioFilter.base_filters[name].extra
    blank = [] if extra["empty_label"] is None else [("", extra["empty_label"])]
    return blank + [(str(value), str(label)) for value, label in extra["choices"]]


# The select controls of the form, in order, with the same choices and empty labels as their filters.
_SELECT_OPTIONS = {name: _select_options(name) for name in ("environment", "readiness", "role", "sort")}
