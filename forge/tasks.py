"""Thin Celery tasks for forge deployment reviews: load by id, call the service, retry with backoff."""

from celery import shared_task

from forge import services
from forge.github import GitHubError
from forge.gitlab import GitLabError


@shared_task(
    name="forge.answer_deployment_review",
    autoretry_for=(GitHubError, GitLabError),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
)
def answer_deployment_review(review_id: int) -> str:
    return services.answer_review(review_id=review_id)


@shared_task(name="forge.reevaluate_deployment_reviews")
def reevaluate_deployment_reviews(release_id: int | None = None) -> int:
    return services.reevaluate_unanswered(release_id=release_id)
