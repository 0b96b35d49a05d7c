import factory

from commerce.payments.models import ConnectedAccount, Payment
from tests.accounts.factories import UserFactory


class CreditPackPaymentFactory(factory.django.DjangoModelFactory):
    """A pending card payment for a 5-credit pack, as payment_checkout_create leaves it."""

    class Meta:
        model = Payment

    user = factory.SubFactory(UserFactory)
    purpose = Payment.Purpose.CREDIT_PACK
    description = "5 session credits"
    amount = 5000
    currency = "gbp"
    credit_count = 5
    credit_validity_days = 180
    checkout_session_id = factory.Sequence(lambda n: f"cs_test_pack_{n:06d}")


class ConnectedAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConnectedAccount

    owner = factory.SubFactory(UserFactory)
    stripe_id = factory.Sequence(lambda n: f"acct_test_{n:06d}")
    charges_enabled = True
    payouts_enabled = True
    details_submitted = True
