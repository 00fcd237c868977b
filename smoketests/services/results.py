"""Writing check results: each only over a pending row, so a second delivery of a run never overwrites
what the first stored, and many at once, so a run of thousands of checks costs a few statements."""

import logging
from dataclasses import replace

from django.db import DatabaseError, connection, transaction

from golive.outbound import storable_text
from smoketests.choices import Outcome
from smoketests.models import CheckResult, SmokeCheck, SmokeRun
from smoketests.probe import ProbeOutcome

logger = logging.getLogger(__name__)


def create_pending_results(*, run: SmokeRun) -> int:
    """One pending result per enabled check of the run's release, in the checks' order; returns how many.

    One INSERT … SELECT: a suite of 10,000 checks would otherwise be read into model instances and
    written back, seconds between a click and the first request. The columns left out are empty as
    the model's defaults say (no text, no status, no times).
    """
    quote = connection.ops.quote_name
    results, checks = quote(CheckResult._meta.db_table), quote(SmokeCheck._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {results} "
            "(run_id, smoke_check_id, check_name, outcome, message, response_excerpt) "
            f"SELECT %s, id, name, %s, '', '' FROM {checks} WHERE release_id = %s AND enabled "
            "ORDER BY name, id",
            [run.pk, Outcome.PENDING, run.release_id],
        )
        return cursor.rowcount


def store_check_outcome(outcome: ProbeOutcome) -> bool:
    """Write one check's result; only over a pending row, so a second delivery never overwrites it.

    The message and excerpt may carry whatever the target answered, so they go through storable_text.
    """
    return bool(
        CheckResult.objects.filter(pk=outcome.key, outcome=Outcome.PENDING).update(
            outcome=outcome.outcome,
            http_status=outcome.http_status,
            latency_ms=outcome.latency_ms,
            message=storable_text(outcome.message),
            response_excerpt=storable_text(outcome.response_excerpt),
            started_at=outcome.started_at,
            finished_at=outcome.finished_at,
        )
    )


# Rows per UPDATE statement: 8 parameters each stays far below SQLite's and PostgreSQL's limits.
STORE_BATCH_ROWS = 1000


def _stored_values(outcome: ProbeOutcome) -> list:
    adapt = connection.ops.adapt_datetimefield_value
    return [
        outcome.key,
        outcome.outcome,
        outcome.http_status,
        outcome.latency_ms,
        storable_text(outcome.message),
        storable_text(outcome.response_excerpt),
        adapt(outcome.started_at),
        adapt(outcome.finished_at),
    ]


def store_outcomes_in_bulk(outcomes: list[ProbeOutcome]) -> int:
    """Write many results in one statement per STORE_BATCH_ROWS, each only over a pending row (as
    `store_check_outcome` does for one); returns how many rows were written."""
    table = connection.ops.quote_name(CheckResult._meta.db_table)
    # Without a type a column of only NULLs is text in PostgreSQL's VALUES; SQLite stores times as text.
    moment = "timestamp with time zone" if connection.vendor == "postgresql" else None
    columns = {
        "outcome": None,
        "http_status": "integer",
        "latency_ms": "integer",
        "message": None,
        "response_excerpt": None,
        "started_at": moment,
        "finished_at": moment,
    }
    assignments = ", ".join(
        f"{name} = CAST(stored.{name} AS {cast})" if cast else f"{name} = stored.{name}"
        for name, cast in columns.items()
    )
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(outcomes), STORE_BATCH_ROWS):
            batch = outcomes[start : start + STORE_BATCH_ROWS]
            cursor.execute(
                f"WITH stored (id, {', '.join(columns)}) AS (VALUES {', '.join([row] * len(batch))}) "
                f"UPDATE {table} SET {assignments} FROM stored "
                f"WHERE {table}.id = stored.id AND {table}.outcome = %s",
                [value for outcome in batch for value in _stored_values(outcome)] + [Outcome.PENDING],
            )
            written += cursor.rowcount
    return written


def store_check_outcomes(outcomes: list[ProbeOutcome]) -> None:
    """Store a batch in one transaction. Should the database still refuse one result, each is stored on
    its own and the refused one becomes an error naming why: one answer never costs the others."""
    try:
        with transaction.atomic():
            store_outcomes_in_bulk(outcomes)
    except DatabaseError:
        logger.exception("A batch of smoke-check results could not be stored; storing them one by one.")
        for outcome in outcomes:
            try:
                with transaction.atomic():
                    store_check_outcome(outcome)
            except DatabaseError as error:
                store_check_outcome(
                    replace(
                        outcome,
                        outcome=Outcome.ERROR,
                        message=f"The result could not be stored: {type(error).__name__}.",
                        http_status=None,
                        latency_ms=None,
                        response_excerpt="",
                    )
                )
