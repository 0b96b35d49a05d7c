"""Reads about push subscriptions that pages and the sender share."""

from accounts.models import User
from notifications.push.models import PushSubscription


def push_subscription_is_stored(*, user: User, endpoint: str) -> bool:
    """Whether this browser's subscription notifies `user` (and not someone else)."""
    return PushSubscription.objects.filter(user=user, endpoint=endpoint.strip()).exists()


def push_subscriptions_for(user_id: int) -> list[PushSubscription]:
    """Every browser the person turned push on in, oldest first."""
    return list(PushSubscription.objects.filter(user_id=user_id).order_by("created_at", "pk"))
