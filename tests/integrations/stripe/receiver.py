"""A webhook receiver for tests of the offline Stripe: it verifies each delivery the way
the real intake does (`live.construct_event` with the endpoint's secret) and records it."""

from dataclasses import dataclass

from django.conf import settings

from integrations.stripe import live
from integrations.stripe.types import Event


@dataclass(frozen=True)
class Delivery:
    endpoint: str
    payload: bytes
    signature_header: str
    event: Event


DELIVERIES: list[Delivery] = []


def receive(endpoint: str, payload: bytes, signature_header: str) -> None:
    secret = (
        settings.STRIPE_CONNECT_WEBHOOK_SECRET
        if endpoint == "connect"
        else settings.STRIPE_WEBHOOK_SECRET
    )
    event = live.construct_event(
        payload, signature_header, secret, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
    )
    DELIVERIES.append(Delivery(endpoint, payload, signature_header, event))


def failing_receive(endpoint: str, payload: bytes, signature_header: str) -> None:
    raise RuntimeError("the intake is down")
