"""Records first touch (once) and last touch (every new touch) in a signed cookie when a
request carries UTM parameters or arrives from another site."""

from marketing_site.leads.attribution import (
    ATTRIBUTION_COOKIE,
    COOKIE_MAX_AGE,
    attribution_from_request,
    touch_from_request,
)


class AttributionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "GET" or touch_from_request(request) is None:
            return response
        if request.path.startswith(("/cms/", "/django-admin/", "/api/", "/static/", "/media/")):
            return response
        attribution = attribution_from_request(request)
        response.set_cookie(
            ATTRIBUTION_COOKIE,
            attribution.as_cookie(),
            max_age=COOKIE_MAX_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response
