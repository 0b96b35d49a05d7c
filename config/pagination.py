"""The one way our list endpoints page: `?limit=&offset=`, read strictly. A limit or offset
that is not a whole number in range is a 400 {"code": "invalid_pagination"}, never silently
replaced by a default (DESIGN.md §6: bad input gets a clear error). Endpoints set their own
`default_limit` and `max_limit` on a subclass; the offset is at most MAX_OFFSET."""

from rest_framework.pagination import LimitOffsetPagination

from accounts.errors import DomainError

# More digits than any offset we could serve; refused before int() is asked to parse them.
MAX_DIGITS = 9
# No list of ours comes near this many rows; deeper offsets only make the database count.
MAX_OFFSET = 1_000_000
# Primary keys are at most bigints: a larger id names nothing and must not reach the
# database driver (it overflows there).
MAX_ID = 2**63 - 1


class StrictLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], **bounds.get(parameter["name"], {})}
        return parameters

    def get_limit(self, request) -> int:
        return self._number(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request) -> int:
        return self._number(request, self.offset_query_param, 0, 0, MAX_OFFSET)

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
