"""Addresses of the offline Stripe's hosted pages. Ids are sequential, so each address
carries a keyed token (like the secret part of Stripe's own URLs): on a shared staging
site nobody can open or pay someone else's checkout by counting ids."""

from __future__ import annotations

import hmac

from django.urls import reverse
from django.utils.crypto import salted_hmac

_SALT = "integrations.stripe.local.hosted"


def token_for(object_id: str) -> str:
    return salted_hmac(_SALT, object_id).hexdigest()[:32]


def token_is_valid(object_id: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(token_for(object_id), str(token))


def _absolute(path: str) -> str:
    # The pages are on our own site, so a root-relative address works whatever host and
    # port the site is served on (make run with another PORT, a test's live server).
    return path


def checkout_url(session_id: str) -> str:
    path = reverse("stripe_local:checkout", args=[session_id])
    return _absolute(f"{path}?k={token_for(session_id)}")


def connect_url(account_id: str, link_id: str) -> str:
    path = reverse("stripe_local:connect", args=[account_id])
    return _absolute(f"{path}?link={link_id}&k={token_for(link_id)}")


def billing_url(portal_session_id: str) -> str:
    path = reverse("stripe_local:billing", args=[portal_session_id])
    return _absolute(f"{path}?k={token_for(portal_session_id)}")
