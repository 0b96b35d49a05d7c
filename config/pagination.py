"""The one way our list endpoints page: `?limit=&offset=`, read strictly. A limit or offset
that is not a whole number in range is a 400 {"code": "invalid_pagination"}, never silently
replaced by a default (DESIGN.md §6: bad input gets a clear error). Endpoints set their own
`default_limit` and `max_limit` on a subclass."""

from rest_framework.pagination import LimitOffsetPagination

from accounts.errors import DomainError

# More digits than any offset we could serve; refused before int() is asked to parse them.
MAX_DIGITS = 9


class StrictLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100

    def get_limit(self, request) -> int:
        return self._number(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request) -> int:
        return self._number(request, self.offset_query_param, 0, 0, None)

    @staticmethod
    def _number(request, name: str, default: int, lowest: int, highest: int | None) -> int:
        raw = request.query_params.get(name, "").strip()
        if not raw:
            return default
        if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_DIGITS:
            raise DomainError(f"{name} must be a whole number.", code="invalid_pagination")
        value = int(raw)
        if value < lowest or (highest is not None and value > highest):
            bounds = f"{lowest} to {highest}" if highest is not None else f"at least {lowest}"
            raise DomainError(f"{name} must be {bounds}.", code="invalid_pagination")
        return value
