"""Errors commerce services raise. Each carries the HTTP status and stable code the API
answers with (config.api.exception_handler reads `api_status` and `api_code`), so views
stay thin and every caller sees the same contract (DESIGN.md §6)."""


class CommerceError(Exception):
    api_status = 400
    api_code = "invalid"

    def __init__(self, detail: str = "", *, code: str | None = None):
        super().__init__(detail or self.__doc__ or self.api_code)
        self.detail = detail or (self.__doc__ or "").strip()
        if code:
            self.api_code = code


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
