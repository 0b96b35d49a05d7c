"""The push subscription endpoint, and what makes the site an installable app: the web app
manifest, the service worker and the offline page."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from notifications.push import selectors, services

# A subscription is three short strings; anything much bigger is not one.
SUBSCRIPTION_MAX_BYTES = 8 * 1024

APP_NAME = "Aeyia"
APP_DESCRIPTION = (
    "Find verified therapists, coaches and bodyworkers, book sessions and meet them online."
)
# The brand colours (static/css/site.css): teal 800 for the bars, sand 50 behind the splash.
THEME_COLOR = "#17504d"
BACKGROUND_COLOR = "#fbf7f0"
ICONS = (
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-192.png", "192x192", "maskable"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)
SHELL_STATIC = (
    "css/site.css",
    "js/site-menu.js",
    "webpush/sw-register.js",
    "img/favicon.svg",
    "icons/icon-192.png",
    "icons/badge-96.png",
)


def _error(code: str, detail: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail, **extra}, status=status)


def _errors_by_field(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: [str(message) for item in errors for message in item.messages]
            for field, errors in error.error_dict.items()
        }
    return {"__all__": [str(message) for message in error.messages]}


def _json_body(request: HttpRequest) -> dict | JsonResponse:
    if len(request.body) > SUBSCRIPTION_MAX_BYTES:
        return _error("payload_too_large", "A push subscription is far smaller than that.", 413)
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error("invalid_json", "Send the subscription as JSON.", 400)
    if not isinstance(data, dict):
        return _error("invalid_json", "Send the subscription as a JSON object.", 400)
    return data


@require_http_methods(["GET", "POST", "DELETE"])
def push_subscriptions(request: HttpRequest) -> HttpResponse:
    """/account/notifications/push/subscriptions/ for the signed-in person (session and
    CSRF, like every form on the site).

    POST {endpoint, keys: {p256dh, auth}} (PushSubscription.toJSON()) stores this
    browser's subscription: 201 new, 200 refreshed, 400 with field errors.
    DELETE {endpoint} removes it: 204, or 404 when it is not theirs.
    GET ?endpoint= answers {"subscribed": bool}: whether it notifies them."""
    if not request.user.is_authenticated:
        return _error("not_authenticated", "Sign in to manage push notifications.", 401)
    if request.method == "GET":
        endpoint = request.GET.get("endpoint", "")
        if not endpoint or len(endpoint) > 4096:
            return _error("invalid", "Give the endpoint to look up.", 400)
        return JsonResponse(
            {
                "subscribed": selectors.push_subscription_is_stored(
                    user=request.user, endpoint=endpoint
                )
            }
        )
    data = _json_body(request)
    if isinstance(data, JsonResponse):
        return data
    if request.method == "DELETE":
        if not services.push_subscription_delete(user=request.user, endpoint=data.get("endpoint")):
            return _error("not_found", "No push subscription of yours has that endpoint.", 404)
        return HttpResponse(status=204)
    keys = data.get("keys")
    if not isinstance(keys, dict):
        keys = {}
    try:
        subscription, created = services.push_subscription_save(
            user=request.user,
            endpoint=data.get("endpoint"),
            p256dh=keys.get("p256dh"),
            auth=keys.get("auth"),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as error:
        return _error(
            "invalid",
            "That is not a push subscription we can use.",
            400,
            errors=_errors_by_field(error),
        )
    return JsonResponse({"id": subscription.pk, "subscribed": True}, status=201 if created else 200)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """/manifest.webmanifest: what a phone needs to install the site as an app."""
    body = {
        "id": "/",
        "name": APP_NAME,
        "short_name": APP_NAME,
        "description": APP_DESCRIPTION,
        "lang": settings.LANGUAGE_CODE,
        "dir": "ltr",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "categories": ["health", "lifestyle", "medical"],
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _shell_urls() -> list[str]:
    return [reverse("offline"), *(static(path) for path in SHELL_STATIC)]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js, at the site root so the worker's scope is the whole site. Never cached for
    long: browsers check it for updates, and a stale worker keeps serving an old shell.
    Its version is a digest of the shell's (hashed, in production) asset URLs, so a new
    stylesheet gives a new worker and a fresh cache."""
    shell_urls = _shell_urls()
    version = hashlib.sha256(json.dumps(shell_urls).encode()).hexdigest()[:16]
    body = render_to_string(
        "webpush/sw.js",
        {
            "version": version,
            "offline_url": reverse("offline"),
            "shell_urls": json.dumps(shell_urls),
            "icon_url": static("icons/icon-192.png"),
            "badge_url": static("icons/badge-96.png"),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """/offline/: what the service worker shows for a page that cannot load offline."""
    response = HttpResponse(render_to_string("webpush/offline.html", request=request))
    response["Cache-Control"] = "no-cache, max-age=0"
    return response
