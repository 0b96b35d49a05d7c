"""Hosted pages of the offline Stripe (Checkout, Connect onboarding, billing portal)."""

from django.http import Http404


def checkout(request, session_id):
    raise Http404


def connect_onboarding(request, account_id):
    raise Http404


def billing_portal(request, portal_session_id):
    raise Http404
