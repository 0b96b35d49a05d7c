"""What erasure does to payments: the rows stay for the books (amounts, currencies,
Stripe ids) and point at the anonymised account, which is their pseudonym; the Stripe
customer loses the person's details through the adapter, after commit."""

from events.outbox import enqueue_on_commit
from integrations.stripe import get_gateway
from privacy.registry import ErasureSubject


def stripe_customers_erase(subject: ErasureSubject) -> int:
    """Eraser: asks Stripe (through the outbox) to clear the person's Stripe customer.
    Changes no row here, so it returns 0; the remote request is idempotent, so erasing
    twice repeats the same request and changes nothing more."""
    from commerce.payments.models import StripeCustomer

    if subject.user is None:
        return 0
    from commerce.payments.tasks import redact_stripe_customer

    for stripe_id in StripeCustomer.objects.filter(user=subject.user).values_list(
        "stripe_id", flat=True
    ):
        enqueue_on_commit(redact_stripe_customer, stripe_id)
    return 0


def stripe_customer_redact(*, customer_id: str) -> None:
    get_gateway().customer_redact(
        idempotency_key=f"customer-redact-{customer_id}", customer_id=customer_id
    )
