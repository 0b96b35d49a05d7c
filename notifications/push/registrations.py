"""The push channel's sender, and push subscriptions in a person's export and erasure."""

from collections.abc import Iterator
from urllib.parse import urlsplit

from privacy.export import ExportItem, json_file
from privacy.export import register as export_register
from privacy.registry import ErasureSubject, eraser_register

MODELS = ("webpush.PushSubscription",)


def push_subscriptions_export(user) -> Iterator[ExportItem]:
    """The browsers the person turned push on in. The endpoint and keys are capability
    URLs and secrets of their browser's push service, so only when and where from."""
    from notifications.push.models import PushSubscription

    yield json_file(
        "push_subscriptions.json",
        [
            {
                "browser": subscription.user_agent,
                "push_service": urlsplit(subscription.endpoint).hostname or "",
                "turned_on_at": subscription.created_at,
                "last_delivered_at": subscription.last_success_at,
            }
            for subscription in PushSubscription.objects.filter(user=user).order_by(
                "created_at", "pk"
            )
        ],
    )


def push_subscriptions_erase(subject: ErasureSubject) -> int:
    """Every push subscription of the person: nothing is sent to their devices again."""
    from notifications.push.models import PushSubscription

    if subject.user is None:
        return 0
    deleted, _ = PushSubscription.objects.filter(user=subject.user).delete()
    return deleted


def register() -> None:
    from notifications.channels import register_sender
    from notifications.kinds import Channel
    from notifications.push.sender import push_send

    register_sender(Channel.PUSH, push_send)
    export_register("push", push_subscriptions_export, models=MODELS)
    eraser_register(name="webpush", eraser=push_subscriptions_erase, models=MODELS, order=40)
