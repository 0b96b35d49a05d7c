"""`manage.py stripe_local`: act as Stripe's clock and card networks for the offline
Stripe — renew or fail subscriptions, open and decide disputes, expire checkouts, list
objects and resend events. Each subcommand prints the events it sent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from integrations.stripe.local import events, simulator
from integrations.stripe.models import LocalStripeObject, LocalWebhookDelivery
from integrations.stripe.types import StripeError


class Command(BaseCommand):
    help = "Drive the offline Stripe (renewals, disputes, expiry) and inspect its objects."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")

        renew = commands.add_parser(
            "renew", help="end a subscription's period: charge the next one (or end it)"
        )
        renew.add_argument("subscription_id")
        renew.add_argument(
            "--fail", action="store_true", help="the card is declined: invoice.payment_failed"
        )

        retry = commands.add_parser("retry", help="try a subscription's open invoice again")
        retry.add_argument("subscription_id")
        retry.add_argument("--fail", action="store_true", help="the card is declined again")

        dispute = commands.add_parser("dispute", help="the cardholder disputes a payment")
        dispute.add_argument("payment_intent_id")
        outcome = dispute.add_mutually_exclusive_group()
        outcome.add_argument("--won", dest="outcome", action="store_const", const="won")
        outcome.add_argument("--lost", dest="outcome", action="store_const", const="lost")

        expire = commands.add_parser("expire-checkout", help="expire an open checkout session")
        expire.add_argument("session_id")

        listing = commands.add_parser("list", help="recent objects, newest first")
        listing.add_argument("--type", dest="object_type", help="e.g. subscription, event")
        listing.add_argument("--limit", type=int, default=20)

        resend = commands.add_parser("resend", help="deliver a stored event again")
        resend.add_argument("event_id")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "list":
            self._list(options["object_type"], options["limit"])
            return
        if subcommand == "resend":
            self._resend(options["event_id"])
            return
        actions = {
            "renew": lambda: simulator.renew_subscription(
                options["subscription_id"], fail=options["fail"]
            ),
            "retry": lambda: simulator.retry_invoice(
                options["subscription_id"], fail=options["fail"]
            ),
            "dispute": lambda: simulator.dispute(
                options["payment_intent_id"], outcome=options["outcome"]
            ),
            "expire-checkout": lambda: simulator.expire_checkout(options["session_id"]),
        }
        try:
            with events.collect() as emitted, transaction.atomic():
                result = actions[subcommand]()
        except StripeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{result['id']}: {_summary(result)}")
        for event in emitted:
            self.stdout.write(f"  sent {event['id']} {event['type']}")

    def _list(self, object_type: str | None, limit: int) -> None:
        rows = LocalStripeObject.objects.order_by("-created", "-id")
        if object_type:
            rows = rows.filter(object_type=object_type)
        else:
            rows = rows.exclude(object_type__in=("event", "product", "price", "account_link"))
        for row in rows[:limit]:
            self.stdout.write(
                f"{row.created:%Y-%m-%d %H:%M:%S}  {row.object_type:<24} {row.id:<22} "
                f"{_summary(row.data)}"
            )

    def _resend(self, event_id: str) -> None:
        try:
            delivery = events.deliver(event_id)
        except StripeError as error:
            raise CommandError(str(error)) from error
        outcome = "delivered" if delivery.is_delivered else f"failed: {delivery.error}"
        self.stdout.write(f"{event_id} {delivery.event_type} → {delivery.endpoint}: {outcome}")


def _summary(data: dict[str, Any]) -> str:
    """One line that says what the object is doing."""
    kind = data.get("object")
    parts: list[str] = []
    if kind == "event":
        last = LocalWebhookDelivery.objects.filter(event_id=data["id"]).first()
        state = "pending" if last is None else ("delivered" if last.is_delivered else "failed")
        return f"{data['type']} ({state})"
    if "status" in data and data["status"] is not None:
        parts.append(str(data["status"]))
    if kind == "subscription":
        items = data["items"]["data"]
        if items:
            end = datetime.fromtimestamp(items[0]["current_period_end"], tz=UTC)
            parts.append(f"period ends {end:%Y-%m-%d}")
        if data.get("cancel_at_period_end"):
            parts.append("cancels at period end")
    for field in ("amount_total", "amount", "amount_paid", "amount_refunded"):
        if isinstance(data.get(field), int) and data.get(field):
            parts.append(f"{field}={data[field]} {data.get('currency') or ''}".strip())
    for field in ("email", "billing_reason", "customer", "payment_intent", "destination"):
        if data.get(field):
            parts.append(f"{field}={data[field]}")
    if kind == "account":
        parts.append("charges enabled" if data["charges_enabled"] else "onboarding incomplete")
    return ", ".join(parts)
