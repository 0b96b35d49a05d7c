from accounts.errors import DomainError


class SharingError(DomainError):
    pass


class SharingInvalid(SharingError):
    """The grant is not valid."""

    api_status = 400
    api_code = "invalid"


class SharingConflict(SharingError):
    """The grant's state does not allow this."""

    api_status = 409
    api_code = "conflict"
