"""The Klaviyo operations Aeyia uses. `live.KlaviyoLiveClient` calls Klaviyo through the
klaviyo-api SDK; `local.LocalKlaviyo` keeps profiles, subscriptions and events in memory
for development and tests."""

from datetime import datetime
from typing import Protocol

from integrations.klaviyo.types import (
    KlaviyoEvent,
    KlaviyoProfile,
    KlaviyoSubscription,
    KlaviyoSuppressionPage,
    KlaviyoUnsubscription,
    SyncedProfile,
)


class KlaviyoGateway(Protocol):
    def profile_upsert(self, *, profile: KlaviyoProfile) -> SyncedProfile:
        """Create or update the profile with this email (profile-import). Idempotent."""
        ...

    def list_subscribe(self, *, subscription: KlaviyoSubscription) -> None:
        """Subscribe the email to the list for email marketing, with the time consent was
        given (bulk subscription job). Idempotent: subscribing twice changes nothing."""
        ...

    def event_create(self, *, event: KlaviyoEvent) -> None:
        """Record a metric for the person; Klaviyo dedupes on `event.unique_id`."""
        ...

    def profile_delete(self, *, email: str) -> None:
        """Ask Klaviyo to delete every profile with this email (data-privacy deletion
        job, asynchronous on their side). Idempotent."""
        ...

    def list_unsubscribe(self, *, unsubscription: KlaviyoUnsubscription) -> None:
        """Withdraw the email's marketing consent and take it off the list (bulk
        unsubscription job). Idempotent: unsubscribing twice changes nothing."""
        ...

    def suppressions_since(self, *, since: datetime, cursor: str = "") -> KlaviyoSuppressionPage:
        """One page (up to 100) of profiles whose email marketing was suppressed at or
        after `since` (unsubscribed, bounced, marked as spam...), oldest first. Pass the page's
        `next_cursor` back as `cursor` for the next page."""
        ...
