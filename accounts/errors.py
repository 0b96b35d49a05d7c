"""The error contract every domain service shares (DESIGN.md §6). It lives in the lowest
layer so marketplace, commerce and the content apps subclass one base instead of each
writing its own: an error carries the HTTP status and the stable code an API answers with,
and config.api.exception_handler turns any DomainError into {"code", "detail"}."""


class DomainError(Exception):
    api_status = 400
    api_code = "invalid"

    def __init__(self, detail: str = "", *, code: str | None = None):
        super().__init__(detail or self.__doc__ or self.api_code)
        self.detail = detail or (self.__doc__ or "").strip()
        if code:
            self.api_code = code
