"""Error pages rendered in the site shell (and JSON for API callers)."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from config.cache_backend import cache_is_available

UNAVAILABLE_DETAIL = "This is unavailable for a moment on our side. Please try again shortly."
RATE_LIMITED_DETAIL = "Too many attempts in a short time. Please wait a few minutes and try again."


def _wants_json(request) -> bool:
    return request.path.startswith(("/api/", "/_allauth/", "/webhooks/"))


def page_not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse(
            {"code": "server_error", "detail": "Something went wrong on our side."}, status=500
        )
    # Rendered without a request: the context processors may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


def too_many_requests(request):
    """allauth's rate limits (sign-up, password reset, ...) answer through this
    (ROOT_URLCONF.handler429). They fail closed when the cache is down (decision 0019):
    the person is then told it is our outage, not something they did."""
    is_outage = not cache_is_available()
    detail = UNAVAILABLE_DETAIL if is_outage else RATE_LIMITED_DETAIL
    if _wants_json(request):
        code = "temporarily_unavailable" if is_outage else "rate_limited"
        response = JsonResponse({"code": code, "detail": detail}, status=429)
    else:
        response = render(
            request, "429.html", {"detail": detail, "is_outage": is_outage}, status=429
        )
    response["Retry-After"] = "30" if is_outage else "60"
    return response
