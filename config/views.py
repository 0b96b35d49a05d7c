"""Error pages rendered in the site shell (and JSON for API callers)."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader


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
