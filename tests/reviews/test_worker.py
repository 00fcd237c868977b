"""Reviews drafted by a real Celery worker process: after the handover's sign-off commits, and by the
daily sweep."""

import re

import pytest
from django.db import transaction

from handover.models import HandoverPlan
from handover.signals import handover_completed
from reviews.choices import DraftTrigger
from reviews.models import Review
from reviews.tasks import draft_due_reviews_task
from tests.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
# The worker logs each task's answer: the ids of the releases whose review the sweep drafted.
SWEEP_DONE = re.compile(r"Task reviews\.draft_due_reviews\[[^\]]+\] succeeded in [\d.]+s: (\[[\d, ]*\])")


def test_the_worker_drafts_the_review_once_the_sign_off_commits(live_release, start_celery_worker):
    worker = start_celery_worker()
    plan = HandoverPlan.objects.create(release=live_release)
    with transaction.atomic():
        handover_completed.send(sender=HandoverPlan, plan=plan)
    review = wait_for(
        lambda: Review.objects.filter(release=live_release).first(), what="the review drafted", worker=worker
    )
    assert review.trigger == DraftTrigger.HANDOVER_COMPLETED
    assert review.drafted_findings.exists()


def test_the_daily_sweep_on_the_worker_drafts_a_due_review_once(live_release, start_celery_worker):
    worker = start_celery_worker()
    draft_due_reviews_task.delay()
    draft_due_reviews_task.delay()  # a second sweep, as a redelivery or the next day would run
    wait_for(lambda: len(SWEEP_DONE.findall(worker.log())) >= 2, what="both sweeps done", worker=worker)
    answers = SWEEP_DONE.findall(worker.log())
    assert sorted(answers) == sorted(["[]", f"[{live_release.pk}]"])
    review = Review.objects.get(release=live_release)
    assert review.trigger == DraftTrigger.DAYS_AFTER_GO_LIVE
