from accounts.errors import DomainError


class NoteError(DomainError):
    pass


class NoteInvalid(NoteError):
    """The note is not valid."""

    api_status = 400
    api_code = "invalid"


class NoteConflict(NoteError):
    """The note's state does not allow this."""

    api_status = 409
    api_code = "conflict"


class NoteNotFound(NoteError):
    """No such note (for this person)."""

    api_status = 404
    api_code = "not_found"
