"""Many rows, each with its own new values, in one UPDATE statement.

Django's `bulk_update` builds a CASE expression per field and row; for the hundreds of monitor rows
stored each second that costs far more CPU than the database's work. On PostgreSQL this sends
`UPDATE … FROM (VALUES …)` instead; elsewhere it falls back to `bulk_update`.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def update_each(objects: Sequence[Model], fields: list[str]) -> None:
    """Save `fields` of every object (they must share one model) in one statement."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objects, fields)
        return
    meta = model._meta
    key = meta.pk
    columns = [key, *(meta.get_field(name) for name in fields)]
    # Parameters arrive as text: each value is cast to its column's type.
    row = "(" + ", ".join(f"%s::{field.cast_db_type(connection)}" for field in columns) + ")"
    parameters = []
    for obj in objects:
        for field in columns:
            parameters.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:])
    names = ", ".join(quote(field.column) for field in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
            f"FROM (VALUES {', '.join([row] * len(objects))}) AS v ({names}) "
            f"WHERE t.{quote(key.column)} = v.{quote(key.column)}",
            parameters,
        )
