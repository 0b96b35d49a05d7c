"""allauth's emails (email confirmation, password reset, login codes, security alerts
such as "your password was changed" or "two-factor authentication was turned on")
through the notification service (decision 0038).

`accounts` sits below `notifications` and cannot import it, so the allauth adapter that
sends through `notify` lives here, as a subclass of accounts.adapters.AccountAdapter, and
ACCOUNT_ADAPTER names it. allauth keeps rendering its own templates (they need the
request for their links); the rendered subject and text travel in the notification's
encrypted context and the one `accounts.security` type's templates print them. Required:
these messages keep an account safe and cannot be switched off."""

from __future__ import annotations

import uuid

from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction

from accounts.adapters import AccountAdapter
from notifications.kinds import Category, Channel, NotificationType, register
from notifications.services import notify

ACCOUNT_EMAIL_TYPE = "accounts.security"


def register_types() -> None:
    """Called from NotificationsConfig.ready."""
    register(
        NotificationType(
            key=ACCOUNT_EMAIL_TYPE,
            category=Category.REQUIRED,
            channels=frozenset({Channel.EMAIL}),
            urgent=True,
        )
    )


class NotifyingAccountAdapter(AccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        rendered = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context,
            },
        )
        # To the address allauth names, not the account's: a new address being confirmed
        # or an unknown one asking for a reset may have no account or another one. Its
        # own transaction: allauth's views run in autocommit, and the notification and
        # its delivery must land together.
        with transaction.atomic():
            notify(
                recipient=None,
                email=email,
                type_key=ACCOUNT_EMAIL_TYPE,
                context={
                    "template": template_prefix,
                    "subject": rendered.subject,
                    "text": rendered.body,
                },
                # Every call is its own message (a resend is asked for by the person).
                dedupe_key=f"{template_prefix}:{uuid.uuid4().hex}",
            )
