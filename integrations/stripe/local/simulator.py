"""What Stripe does on its side, offline: payments on the hosted Checkout page, Connect
onboarding, the billing portal, renewals, disputes, refunds and transfers. The gateway,
the hosted pages and the `stripe_local` command all act through these functions, which
change the stored objects and emit the events Stripe would send.

Callers run these inside `transaction.atomic()` (the events go out after commit) and
get `types.StripeError` with Stripe's error codes when Stripe would refuse.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from integrations.stripe.local import events, hosted, objects, store
from integrations.stripe.types import CheckoutRequest, StripeError

REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
OPEN_DISPUTE_STATUSES = (
    "warning_needs_response",
    "warning_under_review",
    "needs_response",
    "under_review",
)
# Stripe's Smart Retries try a failed renewal again a few days later.
RETRY_DELAY_SECONDS = 3 * 86400


def changed(before: Any, after: Any) -> dict[str, Any]:
    """`previous_attributes` as Stripe sends them: the old values of the fields that
    changed; nested hashes only with their changed keys, lists whole."""
    previous: dict[str, Any] = {}
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and old.get("object") != "list":
            previous[key] = changed(old, new)
        else:
            previous[key] = copy.deepcopy(old)
    return previous


def _save_and_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    store.save(after)
    return changed(before, after)


def _refuse(message: str, code: str = "") -> StripeError:
    return StripeError(message, code=code, retryable=False)


def _mul_div_half_up(value: int, numerator: int, denominator: int) -> int:
    return (2 * value * numerator + denominator) // (2 * denominator)


# Customers ------------------------------------------------------------------------------


def create_customer(*, email: str | None, name: str | None, metadata: Mapping[str, str]):
    customer = objects.customer(email=email, name=name, metadata=dict(metadata))
    store.save(customer)
    events.emit("customer.created", customer)
    return customer


def redact_customer(customer_id: str) -> dict[str, Any]:
    """Clears the person's details from a customer, as an update with empty strings does
    in Stripe's API."""
    customer = store.get(customer_id, "customer")
    for key in ("name", "email", "phone", "description", "address", "shipping"):
        customer[key] = None
    customer["metadata"] = {}
    store.save(customer)
    events.emit("customer.updated", customer)
    return customer


def _attach_card(customer_id: str, *, last4: str = "4242") -> dict[str, Any]:
    customer = store.get(customer_id, "customer")
    method = objects.payment_method(customer_id=customer_id, last4=last4, email=customer["email"])
    store.save(method)
    events.emit("payment_method.attached", method)
    return method


# Checkout -------------------------------------------------------------------------------


def create_checkout_session(request: CheckoutRequest) -> dict[str, Any]:
    """Validate like Stripe does, then store an open session with its line items."""
    if not request.line_items:
        raise _refuse("line_items: at least one line item is required", "parameter_missing")
    for url in (request.success_url, request.cancel_url):
        if not url.startswith(("http://", "https://")):
            raise _refuse(f"Not a valid URL: {url}", "url_invalid")
    if request.customer_id and request.customer_email:
        raise _refuse("You may only specify one of these parameters: customer, customer_email.")
    currencies = {item.currency.lower() for item in request.line_items}
    if len(currencies) != 1:
        raise _refuse("All line items must use the same currency.")
    for item in request.line_items:
        if item.amount < 0 or item.quantity < 1:
            raise _refuse("Line item amounts must be positive.", "parameter_invalid_integer")
        if request.mode == "payment" and item.recurring_interval:
            raise _refuse(
                "You specified `payment` mode but passed a recurring price. Either switch to "
                "`subscription` mode or use only one-time prices."
            )
        if request.mode == "subscription" and not item.recurring_interval:
            raise _refuse(
                "You must provide at least one recurring price in `subscription` mode "
                "when using prices."
            )
    if request.customer_id:
        store.get(request.customer_id, "customer")
    amount_total = sum(item.amount * item.quantity for item in request.line_items)
    if request.mode == "payment":
        _check_destination(request, amount_total)
    elif request.destination_account_id or request.application_fee_amount:
        raise _refuse("payment_intent_data is only accepted in `payment` mode.")

    currency = currencies.pop()
    session = objects.checkout_session(
        mode=request.mode,
        amount_total=amount_total,
        currency=currency,
        success_url=request.success_url,
        cancel_url=request.cancel_url,
        client_reference_id=request.client_reference_id or None,
        metadata=dict(request.metadata),
        customer_id=request.customer_id,
        customer_email=request.customer_email,
        url_for=hosted.checkout_url,
    )
    line_items = [
        objects.checkout_item(
            name=item.name,
            amount=item.amount,
            currency=currency,
            quantity=item.quantity,
            interval=item.recurring_interval,
        )
        for item in request.line_items
    ]
    internal = {
        "line_items": line_items,
        # What Stripe keeps from payment_intent_data / subscription_data (live.py sends the
        # session metadata as payment_intent_data.metadata too).
        "payment_intent_data": {
            "metadata": dict(request.metadata),
            "application_fee_amount": request.application_fee_amount,
            "destination": request.destination_account_id,
            "transfer_group": request.transfer_group,
        },
        "subscription_data": {"metadata": dict(request.subscription_metadata)},
    }
    store.save(session, internal=internal)
    return session


def _check_destination(request: CheckoutRequest, amount_total: int) -> None:
    if request.application_fee_amount is not None:
        if not request.destination_account_id:
            raise _refuse(
                "Can only apply an application_fee_amount when the PaymentIntent is attempting "
                "a direct payment or a destination payment (using transfer_data[destination])."
            )
        if not 0 <= request.application_fee_amount <= amount_total:
            raise _refuse(
                "The application fee cannot exceed the amount of the payment.",
                "amount_too_large",
            )
    if request.destination_account_id:
        account = store.get(request.destination_account_id, "account")
        if account["capabilities"].get("transfers") != "active":
            raise _refuse(
                "Your destination account needs to have at least one of the following "
                "capabilities enabled: transfers, crypto_transfers, legacy_payments",
                "insufficient_capabilities_for_transfer",
            )


def _open_session(session_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    row = store.get_row(session_id, "checkout.session", for_update=True)
    session = row.data
    if session["status"] != "open":
        raise _refuse(f"This Checkout Session is {session['status']}.", "checkout_not_open")
    if session["expires_at"] <= store.now():
        # `expire_if_due` (its own transaction) records the expiry; here we only refuse.
        raise _refuse("This Checkout Session has expired.", "checkout_not_open")
    return session, row.internal


def expire_if_due(session_id: str) -> dict[str, Any]:
    """Expire an open session whose `expires_at` has passed, as Stripe's clock would."""
    session = store.get(session_id, "checkout.session")
    if session["status"] == "open" and session["expires_at"] <= store.now():
        return expire_checkout(session_id)
    return session


def _customer_details(email: str | None) -> dict[str, Any]:
    return {
        "address": None,
        "business_name": None,
        "email": email,
        "individual_name": None,
        "name": None,
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
    }


def _session_email(session: dict[str, Any], email: str | None) -> str | None:
    if session.get("customer"):
        return store.get(session["customer"], "customer").get("email")
    return session.get("customer_email") or email or None


def _intent_for_session(session: dict[str, Any], internal: dict[str, Any]) -> dict[str, Any]:
    """The session's PaymentIntent, created on the first confirmation attempt."""
    intent_id = session.get("payment_intent") or internal.get("attempt_payment_intent")
    if intent_id:
        return store.get(intent_id, "payment_intent")
    data = internal["payment_intent_data"]
    is_payment = session["mode"] == "payment"
    intent = objects.payment_intent(
        amount=session["amount_total"],
        currency=session["currency"],
        customer_id=session.get("customer"),
        metadata=data["metadata"] if is_payment else {},
        description=None if is_payment else "Subscription creation",
        application_fee_amount=data["application_fee_amount"] if is_payment else None,
        destination=data["destination"] if is_payment else None,
        transfer_group=data["transfer_group"] if is_payment else None,
    )
    store.save(intent)
    events.emit("payment_intent.created", intent)
    return intent


def checkout_decline(session_id: str, *, email: str | None = None) -> dict[str, Any]:
    """The customer's card is declined: a failed charge, `payment_intent.payment_failed`,
    and the session stays open for another try."""
    session, internal = _open_session(session_id)
    intent = _intent_for_session(session, internal)
    method = objects.payment_method(customer_id=None, email=_session_email(session, email))
    store.save(method)
    failed = objects.charge(intent=intent, method=method, succeeded=False)
    store.save(failed)
    events.emit("charge.failed", failed)
    intent.update(
        status="requires_payment_method",
        latest_charge=failed["id"],
        payment_method=None,
        last_payment_error=objects.card_error(charge_id=failed["id"], method=method),
    )
    store.save(intent)
    events.emit("payment_intent.payment_failed", intent)
    if session["mode"] == "payment":
        session["payment_intent"] = intent["id"]
        store.save(session)
    else:
        # Subscription-mode sessions never show the first invoice's PaymentIntent.
        internal["attempt_payment_intent"] = intent["id"]
        store.save(session, internal=internal)
    return session


def checkout_pay(session_id: str, *, email: str | None = None) -> dict[str, Any]:
    """The customer pays: the session completes, with a charge (payment mode; plus the
    application fee and transfer of a destination charge) or a customer, an active
    subscription and its paid first invoice (subscription mode)."""
    session, internal = _open_session(session_id)
    email = _session_email(session, email)
    if session["mode"] == "payment":
        _pay_payment_session(session, internal, email)
    else:
        _pay_subscription_session(session, internal, email)
    session.update(
        status="complete",
        payment_status="paid",
        customer_details=_customer_details(email),
        url=None,  # Stripe clears the URL of a finished session
    )
    store.save(session)
    events.emit("checkout.session.completed", session)
    return session


def _pay_payment_session(session, internal, email) -> None:
    intent = _intent_for_session(session, internal)
    method = objects.payment_method(customer_id=None, email=email)
    store.save(method)
    paid = objects.charge(intent=intent, method=method, succeeded=True)
    destination = (intent.get("transfer_data") or {}).get("destination")
    to_emit: list[tuple[str, dict[str, Any]]] = []
    if destination:
        # Destination charge: our fee is kept as an application fee, the rest is
        # transferred to the connected account in the same moment.
        fee_amount = intent.get("application_fee_amount") or 0
        if fee_amount:
            fee = objects.application_fee(charge_data=paid, amount=fee_amount, account=destination)
            store.save(fee)
            paid["application_fee"] = fee["id"]
            to_emit.append(("application_fee.created", fee))
        transfer = objects.transfer(
            amount=paid["amount"] - fee_amount,
            currency=paid["currency"],
            destination=destination,
            transfer_group=intent.get("transfer_group"),
            metadata={},
            source_transaction=paid["id"],
        )
        store.save(transfer)
        paid["transfer"] = transfer["id"]
        to_emit.append(("transfer.created", transfer))
    store.save(paid)
    events.emit("charge.succeeded", paid)
    intent.update(
        status="succeeded",
        amount_received=intent["amount"],
        latest_charge=paid["id"],
        payment_method=method["id"],
        last_payment_error=None,
    )
    store.save(intent)
    events.emit("payment_intent.succeeded", intent)
    for event_type, data in to_emit:
        events.emit(event_type, data)
    session["payment_intent"] = intent["id"]


def _pay_subscription_session(session, internal, email) -> None:
    customer_id = session.get("customer")
    if not customer_id:
        customer_id = create_customer(email=email, name=None, metadata={})["id"]
    method = _attach_card(customer_id)
    items = [
        {"price": item["price"], "quantity": item["quantity"]} for item in internal["line_items"]
    ]
    subscription = objects.subscription(
        customer_id=customer_id,
        items=items,
        currency=session["currency"],
        metadata=internal["subscription_data"]["metadata"],
        default_payment_method=method["id"],
        period_start=store.now(),
    )
    # Stripe creates the subscription incomplete and activates it once the first
    # invoice is paid: two events, in this order.
    subscription["status"] = "incomplete"
    store.save(subscription)
    events.emit("customer.subscription.created", subscription)
    invoice = _new_invoice(subscription, "subscription_create", (store.now(), store.now()))
    if internal.get("attempt_payment_intent"):
        invoice_internal = store.get_internal(invoice["id"], "invoice")
        invoice_internal["payment_intent"] = internal["attempt_payment_intent"]
        store.save(invoice, internal=invoice_internal)
    _collect_invoice(invoice["id"], succeed=True)
    before = store.get(subscription["id"], "subscription")
    after = copy.deepcopy(before)
    after["status"] = "active"
    events.emit(
        "customer.subscription.updated", after, previous_attributes=_save_and_diff(before, after)
    )
    session.update(customer=customer_id, subscription=subscription["id"], invoice=invoice["id"])


def expire_checkout(session_id: str) -> dict[str, Any]:
    """Stripe expires unpaid sessions after `expires_at` (or on request)."""
    session = store.get(session_id, "checkout.session")
    if session["status"] != "open":
        raise _refuse(
            f"Only Checkout Sessions with a status of `open` can be expired; this one is "
            f"{session['status']}."
        )
    session.update(status="expired", url=None)
    store.save(session)
    intent_id = session.get("payment_intent") or store.get_internal(
        session_id, "checkout.session"
    ).get("attempt_payment_intent")
    if intent_id:
        intent = store.get(intent_id, "payment_intent")
        if intent["status"] not in ("succeeded", "canceled"):
            intent.update(
                status="canceled", canceled_at=store.now(), cancellation_reason="abandoned"
            )
            store.save(intent)
            events.emit("payment_intent.canceled", intent)
    events.emit("checkout.session.expired", session)
    return session


# Invoices and subscriptions ---------------------------------------------------------------


def _new_invoice(subscription: dict[str, Any], billing_reason: str, usage_period) -> dict:
    customer = store.get(subscription["customer"], "customer")
    invoice = objects.invoice(
        subscription_data=subscription,
        customer_data=customer,
        billing_reason=billing_reason,
        usage_period=usage_period,
    )
    store.save(invoice, internal={})
    customer["next_invoice_sequence"] = (customer.get("next_invoice_sequence") or 1) + 1
    store.save(customer)
    subscription["latest_invoice"] = invoice["id"]
    store.save(subscription)
    return invoice


def _payment_method_for(subscription: dict[str, Any]) -> dict[str, Any] | None:
    # Stripe's order: the subscription's default, then the customer's invoice default.
    method_id = subscription.get("default_payment_method")
    if not method_id:
        customer = store.get(subscription["customer"], "customer")
        method_id = (customer.get("invoice_settings") or {}).get("default_payment_method")
    return store.get(method_id, "payment_method") if method_id else None


def _collect_invoice(invoice_id: str, *, succeed: bool) -> dict[str, Any]:
    """One payment attempt on an open invoice: a PaymentIntent (reused across attempts,
    as Stripe does), a charge, and invoice.paid or invoice.payment_failed."""
    row = store.get_row(invoice_id, "invoice", for_update=True)
    invoice, internal = row.data, row.internal
    subscription_id = invoice["parent"]["subscription_details"]["subscription"]
    subscription = store.get(subscription_id, "subscription")
    method = _payment_method_for(subscription)
    if internal.get("payment_intent"):
        intent = store.get(internal["payment_intent"], "payment_intent")
    else:
        intent = objects.payment_intent(
            amount=invoice["amount_due"],
            currency=invoice["currency"],
            customer_id=invoice["customer"],
            metadata={},
            description="Subscription creation"
            if invoice["billing_reason"] == "subscription_create"
            else "Subscription update",
        )
        store.save(intent)
        events.emit("payment_intent.created", intent)
        internal["payment_intent"] = intent["id"]

    succeed = succeed and method is not None
    if method is None:
        method = objects.payment_method(customer_id=invoice["customer"])
        store.save(method)
    result = objects.charge(intent=intent, method=method, succeeded=succeed)
    store.save(result)
    events.emit("charge.succeeded" if succeed else "charge.failed", result)
    if succeed:
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            latest_charge=result["id"],
            payment_method=method["id"],
            last_payment_error=None,
        )
    else:
        intent.update(
            status="requires_payment_method",
            latest_charge=result["id"],
            payment_method=None,
            last_payment_error=objects.card_error(charge_id=result["id"], method=method),
        )
    store.save(intent)
    events.emit("payment_intent.succeeded" if succeed else "payment_intent.payment_failed", intent)

    now = store.now()
    invoice["attempted"] = True
    invoice["attempt_count"] += 1
    if succeed:
        invoice.update(
            status="paid",
            amount_paid=invoice["amount_due"],
            amount_remaining=0,
            next_payment_attempt=None,
        )
        invoice["status_transitions"]["paid_at"] = now
    else:
        invoice["next_payment_attempt"] = now + RETRY_DELAY_SECONDS
    store.save(invoice, internal=internal)
    events.emit("invoice.paid" if succeed else "invoice.payment_failed", invoice)
    return invoice


def _subscription_for_change(subscription_id: str) -> dict[str, Any]:
    subscription = store.get_row(subscription_id, "subscription", for_update=True).data
    if subscription["status"] in ("canceled", "incomplete_expired"):
        raise _refuse(
            "A canceled subscription can only update its cancellation_details and metadata."
        )
    return subscription


def _period_end(subscription: dict[str, Any]) -> int:
    return subscription["items"]["data"][0]["current_period_end"]


def set_cancel_at_period_end(subscription_id: str, cancel_at_period_end: bool) -> dict:
    """Cancel at period end (True) or resume (False); `customer.subscription.updated`
    only when something changed, as Stripe does."""
    before = _subscription_for_change(subscription_id)
    if before["cancel_at_period_end"] == cancel_at_period_end:
        return before
    after = copy.deepcopy(before)
    after["cancel_at_period_end"] = cancel_at_period_end
    after["cancel_at"] = _period_end(after) if cancel_at_period_end else None
    after["canceled_at"] = store.now() if cancel_at_period_end else None
    after["cancellation_details"]["reason"] = (
        "cancellation_requested" if cancel_at_period_end else None
    )
    events.emit(
        "customer.subscription.updated", after, previous_attributes=_save_and_diff(before, after)
    )
    return after


def cancel_subscription(subscription_id: str) -> dict[str, Any]:
    """End the subscription now: `customer.subscription.deleted`."""
    subscription = _subscription_for_change(subscription_id)
    now = store.now()
    subscription.update(status="canceled", canceled_at=now, ended_at=now)
    subscription["cancellation_details"]["reason"] = "cancellation_requested"
    store.save(subscription)
    events.emit("customer.subscription.deleted", subscription)
    return subscription


def renew_subscription(subscription_id: str, *, fail: bool = False) -> dict[str, Any]:
    """The current period ends (what Stripe's clock does; `manage.py stripe_local renew`).

    A subscription set to cancel at period end ends (`customer.subscription.deleted`).
    Otherwise the items move to the next period (`customer.subscription.updated`), a
    `subscription_cycle` invoice is created and charged: `invoice.paid`, or with `fail`
    `invoice.payment_failed` and the subscription turns `past_due` (another
    `customer.subscription.updated`)."""
    before = _subscription_for_change(subscription_id)
    if before["status"] == "incomplete":
        raise _refuse("An incomplete subscription has no period to renew.")
    period_end = _period_end(before)
    if before["cancel_at_period_end"]:
        ended = copy.deepcopy(before)
        ended.update(status="canceled", ended_at=period_end)
        store.save(ended)
        events.emit("customer.subscription.deleted", ended)
        return ended

    old_start = before["items"]["data"][0]["current_period_start"]
    after = copy.deepcopy(before)
    for item in after["items"]["data"]:
        interval = item["price"]["recurring"]["interval"]
        item["current_period_start"] = item["current_period_end"]
        item["current_period_end"] = objects.add_interval(item["current_period_end"], interval)
    store.save(after)
    invoice = _new_invoice(after, "subscription_cycle", (old_start, period_end))
    after = store.get(subscription_id, "subscription")
    events.emit("customer.subscription.updated", after, previous_attributes=changed(before, after))
    _collect_invoice(invoice["id"], succeed=not fail)
    return _settle_status(subscription_id, paid=not fail)


def _settle_status(subscription_id: str, *, paid: bool) -> dict[str, Any]:
    before = store.get(subscription_id, "subscription")
    status = "active" if paid else "past_due"
    if before["status"] == status or (not paid and before["status"] != "active"):
        return before
    after = copy.deepcopy(before)
    after["status"] = status
    events.emit(
        "customer.subscription.updated", after, previous_attributes=_save_and_diff(before, after)
    )
    return after


def retry_invoice(subscription_id: str, *, fail: bool = False) -> dict[str, Any]:
    """Try the latest open invoice again (Smart Retries, or the member paying in the
    portal): `invoice.paid` and the subscription back to `active`, or another
    `invoice.payment_failed`."""
    subscription = _subscription_for_change(subscription_id)
    invoice_id = subscription.get("latest_invoice")
    if not invoice_id or store.get(invoice_id, "invoice")["status"] != "open":
        raise _refuse("This subscription has no open invoice to pay.", "invoice_not_open")
    invoice = _collect_invoice(invoice_id, succeed=not fail)
    _settle_status(subscription_id, paid=not fail)
    return invoice


def open_invoices(customer_id: str) -> list[dict[str, Any]]:
    return [i for i in store.find("invoice", customer=customer_id) if i["status"] == "open"]


# Billing portal ---------------------------------------------------------------------------


def create_portal_session(*, customer_id: str, return_url: str) -> dict[str, Any]:
    store.get(customer_id, "customer")
    if not return_url.startswith(("http://", "https://")):
        raise _refuse(f"Not a valid URL: {return_url}", "url_invalid")
    session = objects.portal_session(
        customer_id=customer_id, return_url=return_url, url_for=hosted.billing_url
    )
    store.save(session)
    return session


def update_default_card(customer_id: str, *, last4: str) -> dict[str, Any]:
    """The member saves a new card in the portal: it becomes the default of the customer
    and of their subscriptions (`payment_method.attached`, `customer.updated`,
    `customer.subscription.updated`)."""
    method = _attach_card(customer_id, last4=last4)
    before = store.get_row(customer_id, "customer", for_update=True).data
    after = copy.deepcopy(before)
    after["invoice_settings"]["default_payment_method"] = method["id"]
    events.emit("customer.updated", after, previous_attributes=_save_and_diff(before, after))
    for subscription in subscriptions_of(customer_id):
        old = copy.deepcopy(subscription)
        subscription["default_payment_method"] = method["id"]
        events.emit(
            "customer.subscription.updated",
            subscription,
            previous_attributes=_save_and_diff(old, subscription),
        )
    return after


def subscriptions_of(customer_id: str) -> list[dict[str, Any]]:
    return [
        s
        for s in store.find("subscription", customer=customer_id)
        if s["status"] not in ("canceled", "incomplete_expired")
    ]


# Refunds and disputes ---------------------------------------------------------------------


def _refundable_charge(payment_intent_id: str) -> dict[str, Any]:
    intent = store.get(payment_intent_id, "payment_intent")
    if intent["status"] != "succeeded" or not intent.get("latest_charge"):
        raise _refuse(
            f"This PaymentIntent ({payment_intent_id}) does not have a successful charge to refund."
        )
    return store.get_row(intent["latest_charge"], "charge", for_update=True).data


def _open_dispute(charge_id: str) -> dict[str, Any] | None:
    for found in store.find("dispute", charge=charge_id):
        if found["status"] in (*OPEN_DISPUTE_STATUSES, "lost"):
            return found
    return None


def create_refund(
    *,
    payment_intent_id: str,
    amount: int,
    reason: str,
    reverse_transfer: bool,
    refund_application_fee: bool,
    metadata: Mapping[str, str],
) -> dict[str, Any]:
    """Refund part or all of a payment. For a destination charge, `reverse_transfer`
    pulls back the connected account's share and `refund_application_fee` our fee, both in
    proportion to the amount refunded (rounded half up on the running total, so a full
    refund reverses exactly everything)."""
    if reason and reason not in REFUND_REASONS:
        raise _refuse(
            "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer"
        )
    if amount <= 0:
        raise _refuse("Invalid positive integer", "parameter_invalid_integer")
    charge = _refundable_charge(payment_intent_id)
    if charge.get("disputed") and _open_dispute(charge["id"]):
        raise _refuse(
            f"Charge {charge['id']} has been charged back; it cannot be refunded.",
            "charge_disputed",
        )
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise _refuse(
            f"Charge {charge['id']} has already been refunded.", "charge_already_refunded"
        )
    if amount > remaining:
        raise _refuse(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
            "amount_too_large",
        )
    if reverse_transfer and not charge.get("transfer"):
        raise _refuse(
            "reverse_transfer can only be used for charges with a transfer (destination charges)."
        )

    refunded_total = charge["amount_refunded"] + amount
    refund = objects.refund(
        refund_id=store.new_id("refund"),
        charge_data=charge,
        amount=amount,
        reason=reason or None,
        metadata=dict(metadata),
    )
    follow_ups: list[tuple[str, dict[str, Any]]] = []
    if reverse_transfer:
        transfer = store.get_row(charge["transfer"], "transfer", for_update=True).data
        target = _mul_div_half_up(refunded_total, transfer["amount"], charge["amount"])
        reversal_amount = target - transfer["amount_reversed"]
        if reversal_amount > 0:
            reversal = objects.transfer_reversal(
                transfer_data=transfer, amount=reversal_amount, refund_id=refund["id"]
            )
            transfer["amount_reversed"] += reversal_amount
            transfer["reversed"] = transfer["amount_reversed"] >= transfer["amount"]
            transfer["reversals"]["data"].insert(0, reversal)
            store.save(transfer)
            refund["transfer_reversal"] = reversal["id"]
            follow_ups.append(("transfer.reversed", transfer))
    if refund_application_fee and charge.get("application_fee"):
        fee = store.get_row(charge["application_fee"], "application_fee", for_update=True).data
        target = _mul_div_half_up(refunded_total, fee["amount"], charge["amount"])
        fee_amount = target - fee["amount_refunded"]
        if fee_amount > 0:
            fee["amount_refunded"] += fee_amount
            fee["refunded"] = fee["amount_refunded"] >= fee["amount"]
            fee["refunds"]["data"].insert(0, objects.fee_refund(fee=fee, amount=fee_amount))
            store.save(fee)
            follow_ups.append(("application_fee.refunded", fee))
    store.save(refund)

    before = copy.deepcopy(charge)
    charge["amount_refunded"] = refunded_total
    charge["refunded"] = refunded_total >= charge["amount"]
    events.emit("charge.refunded", charge, previous_attributes=_save_and_diff(before, charge))
    events.emit("refund.created", refund)
    for event_type, data in follow_ups:
        events.emit(event_type, data)
    return refund


def dispute(payment_intent_id: str, *, outcome: str | None = None) -> dict[str, Any]:
    """The cardholder disputes the payment (`charge.dispute.created`); with `outcome`
    ("won" or "lost") the bank also decides (`charge.dispute.closed`). A charge already
    under dispute is only decided."""
    if outcome not in (None, "won", "lost"):
        raise ValueError("outcome is 'won', 'lost' or None")
    charge = _refundable_charge(payment_intent_id)
    existing = store.find("dispute", charge=charge["id"])
    current = existing[-1] if existing else None
    if current is None:
        current = objects.dispute(charge_data=charge)
        store.save(current)
        charge["disputed"] = True
        store.save(charge)
        events.emit("charge.dispute.created", current)
    elif current["status"] not in OPEN_DISPUTE_STATUSES or outcome is None:
        raise _refuse(f"Charge {charge['id']} has already been disputed.", "charge_disputed")
    if outcome:
        current["status"] = outcome
        current["is_charge_refundable"] = outcome == "won"
        store.save(current)
        events.emit("charge.dispute.closed", current)
    return current


# Connect ----------------------------------------------------------------------------------


def create_account(*, email: str, country: str, metadata: Mapping[str, str]) -> dict[str, Any]:
    account = objects.account(email=email, country=country, metadata=dict(metadata))
    store.save(account)
    return account


ACCOUNT_LINK_LIFETIME_SECONDS = 300


def create_account_link(*, account_id: str, refresh_url: str, return_url: str) -> dict:
    """A single-use onboarding link to the local onboarding page."""
    store.get(account_id, "account")
    for url in (refresh_url, return_url):
        if not url.startswith(("http://", "https://")):
            raise _refuse(f"Not a valid URL: {url}", "url_invalid")
    link_id = store.new_id("account_link")
    created = store.now()
    link = {
        "id": link_id,
        "object": "account_link",
        "created": created,
        "expires_at": created + ACCOUNT_LINK_LIFETIME_SECONDS,
        "url": hosted.connect_url(account_id, link_id),
    }
    store.save(
        link,
        internal={
            "account": account_id,
            "refresh_url": refresh_url,
            "return_url": return_url,
            "is_used": False,
        },
    )
    return link


def use_account_link(link_id: str) -> None:
    row = store.get_row(link_id, "account_link", for_update=True)
    row.internal["is_used"] = True
    row.save(update_fields=["internal", "updated"])


def complete_onboarding(
    account_id: str,
    *,
    business_name: str,
    holder_name: str,
    routing_number: str,
    account_number: str,
) -> dict[str, Any]:
    """The practitioner finishes onboarding: details submitted, card payments and
    payouts enabled, a bank account on file; `account.updated` on the Connect endpoint."""
    before = store.get_row(account_id, "account", for_update=True).data
    after = copy.deepcopy(before)
    bank = objects.bank_account(
        account_id=account_id,
        holder_name=holder_name,
        routing_number=routing_number,
        account_number=account_number,
        country=after["country"],
    )
    after["business_profile"].update(name=business_name, mcc="8099", url=None)
    after["business_profile"]["product_description"] = "Wellness and therapy sessions"
    after.update(
        business_type="individual",
        capabilities={"card_payments": "active", "transfers": "active"},
        charges_enabled=True,
        payouts_enabled=True,
        details_submitted=True,
        requirements=objects.requirements([]),
        tos_acceptance={"date": store.now(), "ip": "127.0.0.1", "user_agent": None},
    )
    after["external_accounts"]["data"] = [bank]
    events.emit(
        "account.updated",
        after,
        account=account_id,
        previous_attributes=_save_and_diff(before, after),
    )
    return after


def create_transfer(
    *,
    amount: int,
    currency: str,
    destination: str,
    transfer_group: str,
    metadata: Mapping[str, str],
) -> dict[str, Any]:
    """Move money from our balance to a connected account (`transfer.created`). The
    offline Stripe does not model our balance, so it never refuses for lack of funds."""
    if amount <= 0:
        raise _refuse("Invalid positive integer", "parameter_invalid_integer")
    account = store.get(destination, "account")
    if account["capabilities"].get("transfers") != "active":
        raise _refuse(
            "Your destination account needs to have at least one of the following "
            "capabilities enabled: transfers, crypto_transfers, legacy_payments",
            "insufficient_capabilities_for_transfer",
        )
    transfer = objects.transfer(
        amount=amount,
        currency=currency.lower(),
        destination=destination,
        transfer_group=transfer_group or None,
        metadata=dict(metadata),
    )
    store.save(transfer)
    events.emit("transfer.created", transfer)
    return transfer


def line_items_of(session_id: str) -> Iterable[dict[str, Any]]:
    return store.get_internal(session_id, "checkout.session").get("line_items", [])
