from celery import shared_task


@shared_task(name="golive.send_runnable_notice")
def send_runnable_notice_task(step_id: int) -> int:
    from runbook.services.execution import send_runnable_notice

    return send_runnable_notice(step_id)
