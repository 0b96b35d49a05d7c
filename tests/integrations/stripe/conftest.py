from contextlib import contextmanager

import pytest

from integrations.stripe.local import StripeLocalGateway
from tests.integrations.stripe import receiver


@pytest.fixture(autouse=True)
def _offline_stripe(settings):
    settings.STRIPE_GATEWAY = "integrations.stripe.local.StripeLocalGateway"
    settings.STRIPE_LOCAL_WEBHOOK_RECEIVER = "tests.integrations.stripe.receiver.receive"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_platform"
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = "whsec_test_connect"
    settings.SITE_URL = "http://testserver"
    StripeLocalGateway.reset()
    receiver.DELIVERIES.clear()
    yield
    StripeLocalGateway.reset()
    receiver.DELIVERIES.clear()


@pytest.fixture
def deliveries():
    return receiver.DELIVERIES


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """`with delivered() as sent:` runs the block, then the on-commit callbacks (as a
    commit would), and fills `sent` with the deliveries the receiver verified."""

    @contextmanager
    def block():
        start = len(receiver.DELIVERIES)
        sent: list[receiver.Delivery] = []
        with django_capture_on_commit_callbacks(execute=True):
            yield sent
        sent.extend(receiver.DELIVERIES[start:])

    return block
