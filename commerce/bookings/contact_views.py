"""The old "Reminders by text message" page. The mobile number and SMS consent now live
in `notifications.ContactPoint` and are edited with every other notification choice, so
its address answers a permanent redirect there: bookmarks and links in emails already
sent keep working (decision 0038)."""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET", "HEAD", "POST"])
def account_sms_view(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # 308, not 301: a form still posted to the old address is not turned into a GET.
    response = HttpResponsePermanentRedirect(reverse("notification-settings"))
    if request.method == "POST":
        response.status_code = 308
    return response
