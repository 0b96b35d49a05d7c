"""Errors the practitioner services raise. Each carries the HTTP status and stable code
an API would answer with (config.api.exception_handler reads `api_status`, `api_code`)."""


class PractitionerError(Exception):
    api_status = 400
    api_code = "invalid"

    def __init__(self, detail: str = "", *, code: str | None = None):
        super().__init__(detail or self.__doc__ or self.api_code)
        self.detail = detail or (self.__doc__ or "").strip()
        if code:
            self.api_code = code


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
