"""Errors the room services raise, with the HTTP status and stable code the API and the
pages answer with (config.api.exception_handler reads `api_status` and `api_code`)."""

from commerce.errors import CommerceError


class RoomClosed(CommerceError):
    """The room is not open: it opens 10 minutes before the session and closes after it."""

    api_status = 409
    api_code = "room_closed"


class RoomStateConflict(CommerceError):
    """The room is not in a state that allows this."""

    api_status = 409
    api_code = "room_conflict"


class TokenRefused(CommerceError):
    """The join token is unknown, used, revoked, expired or someone else's."""

    api_status = 401
    api_code = "token_refused"
