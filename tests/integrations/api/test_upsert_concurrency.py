"""A tracker sync sent by several pipeline jobs at the same moment: one defect, no error.

Runs on PostgreSQL, where parallel connections really race (see the `postgresql` fixture).
"""

import threading

import pytest
from django.db import connections
from django.urls import reverse
from rest_framework.test import APIClient

from golive.choices import Role
from registers.models import Defect

pytestmark = pytest.mark.django_db(transaction=True)

JOBS = 8


def test_simultaneous_upserts_of_a_new_key_create_one_defect(postgresql, release, members, token_for):
    token = token_for(members[Role.SCRUM_TEAM])
    url = reverse("api:defect_upsert", args=[release.pk])
    barrier = threading.Barrier(JOBS)
    statuses: list[int] = []

    def sync(job: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        try:
            barrier.wait(timeout=10)
            response = client.put(url, {"external_key": "SHOP-77", "title": f"Cart empties (job {job})"})
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sync, args=(job,)) for job in range(JOBS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200] * (JOBS - 1) + [201]
    assert Defect.objects.filter(release=release, external_key="SHOP-77").count() == 1
