"""A rule about rows, written once as a Q: asked in SQL (a filter, a count) and in Python (`matches`).

A property such as `Defect.is_blocking` and the queryset method `Defect.objects.blocking()` read the same
Q, so the page that shows one defect and the count on the portfolio cannot disagree. `matches` knows the
lookups these rules use, on the row's own fields only: exact, in, gt, gte, lt, lte and isnull. As in SQL,
a comparison with a missing value (NULL) is false, and a negated rule (~Q) is its plain opposite, as
Django's exclude() makes it.
"""

import operator
from collections.abc import Callable
from enum import Enum
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import IntegerField, Model, Q
from django.db.models.expressions import RawSQL

_COMPARE: dict[str, Callable] = {
    "exact": operator.eq,
    "in": lambda value, wanted: value in wanted,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def matches(rule: Q, row, **values) -> bool:
    """Whether `row` meets `rule`; `values` stand in for fields whose stored value may be stale (a
    generated column of a row changed in memory)."""
    met = (_meets(child, row, values) for child in rule.children)
    result = all(met) if rule.connector == Q.AND else any(met)
    return not result if rule.negated else result


def _meets(child, row, values: dict) -> bool:
    if isinstance(child, Q):
        return matches(child, row, **values)
    lookup, wanted = child
    field, _, lookup_type = lookup.partition("__")
    value = values[field] if field in values else getattr(row, field)
    if lookup_type == "isnull":
        return (value is None) == wanted
    if value is None:
        return False
    return _COMPARE[lookup_type or "exact"](value, wanted)


def where_sql(model: type[Model], rule: Q) -> tuple[str, tuple]:
    """The rule as Django writes it in SQL for `model`'s own table (columns named table.column)."""
    query = model._base_manager.filter(rule).query
    sql, params = query.get_compiler(using=DEFAULT_DB_ALIAS).compile(query.where)
    return sql, tuple(param.value if isinstance(param, Enum) else param for param in params)


@lru_cache(maxsize=256)
def _count_sql(model: type[Model], rule: Q, via: str, vendor: str) -> tuple[str, tuple]:
    table = connections[DEFAULT_DB_ALIAS].ops.quote_name(model._meta.db_table)
    from golive.models import Release

    release = connections[DEFAULT_DB_ALIAS].ops.quote_name(Release._meta.db_table)
    where, params = where_sql(model, rule)
    if via:
        # The row reaches its release through a parent row (a handover item through its plan).
        parent_field = model._meta.get_field(via)
        parent = connections[DEFAULT_DB_ALIAS].ops.quote_name(parent_field.related_model._meta.db_table)
        source = f"{table} INNER JOIN {parent} ON {parent}.id = {table}.{parent_field.column}"
        owner = f"{parent}.release_id"
    else:
        source, owner = table, f"{table}.release_id"
    sql = f"SELECT COUNT(*) FROM {source} WHERE {owner} = {release}.id AND ({where})"
    return sql, params


def count_per_release(model: type[Model], rule: Q, *, via: str = "") -> RawSQL:
    """COUNT of the release's rows that meet `rule`, as a correlated subquery on golive_release.

    Written once per rule and day rather than built from nested querysets: the portfolio asks for a
    dozen of these per request, and resolving as many querysets cost more than running them."""
    sql, params = _count_sql(model, rule, via, connections[DEFAULT_DB_ALIAS].vendor)
    return RawSQL(sql, params, output_field=IntegerField())
