"""Links from the marketing site into sign-up and sign-in that keep where the person
was (`?next=`). Attribution needs nothing here: it travels in its signed cookie."""

from django import template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

register = template.Library()


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    if (
        next_url
        # From the front page, or from sign-in and sign-up themselves, allauth's own
        # default (the account page) is the better place to land.
        and next_url != "/"
        and not next_url.startswith("/accounts/")
        and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None)
    ):
        return f"{url}?{urlencode({'next': next_url})}"
    return url


@register.simple_tag(takes_context=True)
def marketing_signup_url(context, next_url: str = "") -> str:
    """/accounts/signup/?next=<next_url or the current page>."""
    request = context.get("request")
    return _with_next("account_signup", next_url or (request.get_full_path() if request else ""))


@register.simple_tag(takes_context=True)
def marketing_login_url(context, next_url: str = "") -> str:
    """/accounts/login/?next=<next_url or the current page>."""
    request = context.get("request")
    return _with_next("account_login", next_url or (request.get_full_path() if request else ""))
