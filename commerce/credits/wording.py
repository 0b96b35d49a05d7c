"""How a number of credits is written, everywhere a count is shown ("1 credit",
"2 credits"): templates use the `credits` filter (templatetags/credit_counts), Python
code credit_count(). One ngettext call, so a translation gets every plural form right."""

from django.utils.translation import ngettext


def credit_count(amount: int) -> str:
    """'1 credit', '0 credits', '4 credits'."""
    return ngettext("%(count)s credit", "%(count)s credits", amount) % {"count": amount}
