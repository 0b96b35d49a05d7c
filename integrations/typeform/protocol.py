"""The Typeform operations Aeyia uses. `live.TypeformLiveClient` reads responses through
Typeform's Responses API with a personal access token; `local.LocalTypeform` renders a
Typeform-style form offline and delivers signed webhooks into the same intake path."""

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from integrations.typeform.types import TypeformResponsePage


class TypeformGateway(Protocol):
    def form_url(self, *, form_id: str, hidden: Mapping[str, str], return_url: str = "") -> str:
        """Where a respondent fills the form, opened with these hidden fields. Typeform
        itself redirects where its builder says; the local form goes back to
        `return_url` (a path on our site)."""
        ...

    def responses(
        self,
        *,
        form_id: str,
        since: datetime | None = None,
        before: str = "",
        tokens: tuple[str, ...] = (),
        page_size: int = 25,
    ) -> TypeformResponsePage:
        """Submitted responses of the form (newest first): those submitted after `since`,
        older than the response token `before`, or only those with these tokens."""
        ...
