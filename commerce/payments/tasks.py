from celery import shared_task

from commerce.payments.models import WebhookEvent


@shared_task(
    name="commerce.payments.tasks.process_webhook_event",
    bind=True,
    max_retries=5,
    acks_late=True,
)
def process_webhook_event(self, event_id: int) -> str:
    """Processes one stored Stripe event (idempotent); a failure is retried with backoff."""
    from commerce.payments.webhooks import webhook_event_process

    row = webhook_event_process(event_id=event_id)
    if row.status == WebhookEvent.Status.FAILED and not self.request.is_eager:
        raise self.retry(countdown=min(60 * 2**self.request.retries, 3600))
    return row.status


@shared_task(name="commerce.payments.tasks.redrive_webhook_events")
def redrive_webhook_events() -> int:
    """Beat: processes stored Stripe events left received or failed, with back-off."""
    from commerce.payments.webhooks import webhook_events_redrive

    return webhook_events_redrive()


@shared_task(name="commerce.payments.tasks.submit_refund", bind=True, max_retries=5)
def submit_refund(self, refund_id: int) -> str:
    """Sends a refund to Stripe; the idempotency key comes from the row, so a retry
    repeats the same request."""
    from commerce.payments.services import refund_submit
    from integrations.stripe.types import StripeError

    try:
        return refund_submit(refund_id=refund_id)
    except StripeError as error:
        if error.retryable and not self.request.is_eager:
            raise self.retry(countdown=min(30 * 2**self.request.retries, 1800)) from error
        raise


@shared_task(name="commerce.payments.tasks.submit_transfer", bind=True, max_retries=5)
def submit_transfer(self, transfer_id: int) -> str:
    """Sends a transfer to Stripe with an idempotency key from the row."""
    from commerce.payments.services import transfer_submit
    from integrations.stripe.types import StripeError

    try:
        return transfer_submit(transfer_id=transfer_id)
    except StripeError as error:
        if error.retryable and not self.request.is_eager:
            raise self.retry(countdown=min(30 * 2**self.request.retries, 1800)) from error
        raise


@shared_task(name="commerce.payments.tasks.redact_stripe_customer", bind=True, max_retries=5)
def redact_stripe_customer(self, customer_id: str) -> str:
    """Erasure: clears the person's details from their Stripe customer. The idempotency
    key comes from the customer id, so retries and a second erasure repeat one request."""
    from commerce.payments.erasure import stripe_customer_redact
    from integrations.stripe.types import StripeError

    try:
        stripe_customer_redact(customer_id=customer_id)
    except StripeError as error:
        if error.retryable and not self.request.is_eager:
            raise self.retry(countdown=min(30 * 2**self.request.retries, 1800)) from error
        raise
    return "redacted"
