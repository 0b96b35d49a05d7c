"""Errors the intake services raise (accounts.errors.DomainError: HTTP status and stable
code for the API)."""

from accounts.errors import DomainError


class IntakeError(DomainError):
    pass


class IntakeInvalid(IntakeError):
    """Some answers need attention. `errors` maps question ids to messages."""

    api_status = 400
    api_code = "invalid"

    def __init__(self, detail: str = "", *, errors: dict[str, str] | None = None):
        super().__init__(detail or "Some answers need attention.")
        self.errors = errors or {}
        self.api_extra = {"fields": self.errors}


class IntakeLocked(IntakeError):
    """The session has started: the intake can no longer be changed."""

    api_status = 409
    api_code = "intake_locked"


class IntakeNotAsked(IntakeError):
    """This booking asks for no intake here."""

    api_status = 404
    api_code = "not_found"


class IntakeNotYours(IntakeError):
    """Only the client answers their intake."""

    api_status = 403
    api_code = "client_only"


class QuestionInvalid(IntakeError):
    """The question cannot be saved."""

    api_status = 400
    api_code = "invalid"
