from accounts.errors import DomainError


class BreakGlassRefused(DomainError):
    """Emergency access cannot be opened (not staff, no reason, no such record)."""

    api_status = 400
    api_code = "break_glass_refused"
