"""Errors the consent services raise (accounts.errors.DomainError: HTTP status and stable
code for the API)."""

from accounts.errors import DomainError


class ConsentError(DomainError):
    pass


class ConsentInvalid(ConsentError):
    """The signature is not valid."""

    api_status = 400
    api_code = "invalid"


class ConsentConflict(ConsentError):
    """This conflicts with the current state of the consent."""

    api_status = 409
    api_code = "conflict"


class ConsentRequired(ConsentError):
    """Consent documents must be signed before this can go ahead. `documents` lists them
    ({kind, title, version, sha256}); the API answers 409 `consent_required` with them."""

    api_status = 409
    api_code = "consent_required"

    def __init__(self, detail: str = "", *, documents: list[dict]):
        super().__init__(detail)
        self.documents = documents
        self.api_extra = {"documents": documents}
