"""Errors commerce services raise. Each carries the HTTP status and stable code the API
answers with (config.api.exception_handler reads `api_status` and `api_code`), so views
stay thin and every caller sees the same contract (accounts.errors.DomainError)."""

from accounts.errors import DomainError


class CommerceError(DomainError):
    pass


class InvalidRequest(CommerceError):
    """The request is not valid."""

    api_status = 400
    api_code = "invalid"


class InsufficientCredits(CommerceError):
    """Not enough credits for this."""

    api_status = 402
    api_code = "insufficient_credits"


class Conflict(CommerceError):
    """This conflicts with the current state."""

    api_status = 409
    api_code = "conflict"


class NotFound(CommerceError):
    """Not found."""

    api_status = 404
    api_code = "not_found"
