"""Celery entry points of e-mails (the work itself is in services)."""

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=None)
def send_email(self, email_id: int) -> None:
    # Retried with backoff until EMAIL_MAX_ATTEMPTS (counted on the row, not by Celery: a
    # requeued e-mail keeps its count); the exception is not passed on, it may name the address.
    if services.deliver(email_id) == services.RETRY:
        attempts = services.OutgoingEmail.objects.values_list("attempts", flat=True).get(
            pk=email_id
        )
        raise self.retry(countdown=services.retry_delay(attempts))


@shared_task
def requeue_pending_emails() -> None:
    services.requeue_pending_emails()


@shared_task
def send_weekly_digests() -> None:
    services.send_weekly_digests()
