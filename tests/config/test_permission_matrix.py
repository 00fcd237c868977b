"""Every URL name × every actor × every method it takes answers as tests/config/permission_matrix.py says.

The world is built once for the module; each request runs in a savepoint that is rolled back, so every
cell sees the same data and one cell's success does not change the next cell's answer.
"""

import copy

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.config.permission_matrix import ACTORS, AUDIENCES, MATRIX, NOT_IN_MATRIX, REFUSALS, Row
from tests.config.permission_world import ACTOR_ROLES, build_world


def _url_names(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in NOT_IN_MATRIX:
                continue
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name


def test_every_url_name_has_a_row():
    names = set(_url_names(get_resolver().url_patterns))
    missing = sorted(names - set(MATRIX))
    assert not missing, f"URL names without a row in tests/config/permission_matrix.py: {', '.join(missing)}"
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"Rows for URL names that no longer exist: {', '.join(stale)}"


def expected_status(row: Row, method: str, actor: str) -> int:
    for audience, status in row.expect[method]:
        if actor in AUDIENCES[audience]:
            return status
    refusals = REFUSALS[row.scope]
    if actor in refusals:
        return refusals[actor]
    if "member" in refusals and ACTOR_ROLES[actor] is not None:
        return refusals["member"]
    raise AssertionError(f"the matrix says nothing for {actor} ({method}); add an audience to the row")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, inside a transaction rolled back when the module is done."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
            clients = {}
            for actor in ACTORS:
                client = Client(raise_request_exception=False)
                if actor != "anonymous":
                    client.force_login(world["users"][actor])
                clients[actor] = client
            yield {**world, "clients": clients}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _request(client: Client, method: str, path: str):
    """One request in a savepoint rolled back after it; the client keeps its session cookie (a POST to
    the logout page must not sign it out of the next cells). Writes to the API and the forge hooks
    send an empty JSON object, as their clients send JSON."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if path.startswith(("/api/", "/hooks/")) and method != "GET":
            response = getattr(client, method.lower())(path, data="{}", content_type="application/json")
        else:
            response = getattr(client, method.lower())(path)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_permission_matrix(url_name, world):
    row = MATRIX[url_name]
    objects = world["objects"]
    path = reverse(url_name, kwargs={name: objects[key] for name, key in row.params.items()})
    wrong = []
    for method in row.expect:
        for actor in ACTORS:
            expected = expected_status(row, method, actor)
            answered = _request(world["clients"][actor], method, path).status_code
            if answered != expected:
                wrong.append(f"{url_name} {method} as {actor}: expected {expected}, got {answered}")
    assert not wrong, "\n".join(wrong)
