"""Errors the practitioner services raise. Each carries the HTTP status and stable code
an API would answer with (accounts.errors.DomainError)."""

from accounts.errors import DomainError


class PractitionerError(DomainError):
    pass


class TransitionRefused(PractitionerError):
    """This change of status is not allowed from the current status."""

    api_status = 409
    api_code = "transition_refused"


class SubmissionIncomplete(PractitionerError):
    """Something the review needs is missing."""

    api_status = 400
    api_code = "incomplete"

    def __init__(self, gaps: list[str]):
        super().__init__("; ".join(gaps))
        self.gaps = gaps
