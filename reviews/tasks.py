from celery import shared_task


@shared_task(name="reviews.draft_due_reviews")
def draft_due_reviews_task() -> list[int]:
    from reviews.services.drafting_schedule import draft_due_reviews

    return draft_due_reviews()


@shared_task(name="reviews.draft_review_after_handover")
def draft_review_after_handover_task(release_id: int) -> bool:
    from reviews.services.drafting_schedule import draft_review_after_handover

    return draft_review_after_handover(release_id)
