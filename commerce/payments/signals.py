"""Signals other apps listen to without commerce importing them (higher layers such as
cms.courses keep their purchases in line with the payment's facts)."""

from django.dispatch import Signal

# Sent by payment_reconcile, inside its transaction, every time a payment's facts are
# brought in line (paid, refunded, disputed, expired) with `payment` (locked, current).
# Receivers must be idempotent: the same state may be reconciled many times.
payment_reconciled = Signal()
