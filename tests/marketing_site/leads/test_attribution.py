"""First touch is kept, last touch follows; the cookie is signed; rates parse."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from marketing_site.leads.attribution import (
    ATTRIBUTION_COOKIE,
    Attribution,
    attribution_from_request,
)
from marketing_site.leads.middleware import AttributionMiddleware
from marketing_site.leads.ratelimit import Rate, parse_rate


def _through_middleware(request):
    from django.http import HttpResponse

    return AttributionMiddleware(lambda _request: HttpResponse("ok"))(request)


def test_first_touch_is_kept_and_last_touch_follows():
    factory = RequestFactory()
    first = _through_middleware(factory.get("/", {"utm_source": "instagram", "utm_campaign": "a"}))
    cookie = first.cookies[ATTRIBUTION_COOKIE].value

    second_request = factory.get("/blog/", HTTP_REFERER="https://news.example.com/story")
    second_request.COOKIES[ATTRIBUTION_COOKIE] = cookie
    second = _through_middleware(second_request)

    request = factory.get("/newsletter/")
    request.COOKIES[ATTRIBUTION_COOKIE] = second.cookies[ATTRIBUTION_COOKIE].value
    attribution = attribution_from_request(request)
    assert attribution.first_touch["utm_source"] == "instagram"
    assert attribution.last_touch["referrer"] == "https://news.example.com/story"
    assert attribution.last_touch["landing_page"] == "/blog/"
    assert (attribution.source, attribution.campaign) == ("instagram", "a")


def test_plain_internal_visits_set_no_cookie():
    request = RequestFactory().get("/", HTTP_REFERER="http://testserver/practitioners/")

    assert ATTRIBUTION_COOKIE not in _through_middleware(request).cookies


def test_a_tampered_cookie_is_ignored():
    request = RequestFactory().get("/")
    request.COOKIES[ATTRIBUTION_COOKIE] = "eyJmIjp7InV0bV9zb3VyY2UiOiJldmlsIn19:forged"

    assert attribution_from_request(request) == Attribution()


def test_values_are_clipped():
    request = RequestFactory().get("/", {"utm_source": "x" * 1000})

    assert len(attribution_from_request(request).first_touch["utm_source"]) == 120


@pytest.mark.parametrize(
    ("value", "rate"),
    [("5/10m", Rate(5, 600)), ("20/h", Rate(20, 3600)), ("1/s", Rate(1, 1)),
     (" 3 / 2d ", Rate(3, 172800))],
)  # fmt: skip
def test_rates_parse(value, rate):
    assert parse_rate(value) == rate


@pytest.mark.parametrize("value", ["", "5", "5/10x", "five/m"])
def test_bad_rates_are_a_configuration_error(value):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(value)
