from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from privacy.rights.admin_views import ErasureRequestsView, may_erase


class ErasureRequestsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_erase(request.user)


@hooks.register("register_admin_urls")
def register_erasure_request_urls():
    return [
        path(
            "privacy/erasure-requests/",
            ErasureRequestsView.as_view(),
            name="privacy_erasure_requests",
        )
    ]


@hooks.register("register_admin_menu_item")
def register_erasure_requests_menu_item():
    return ErasureRequestsMenuItem(
        "Erasure requests",
        reverse("privacy_erasure_requests"),
        name="erasure-requests",
        icon_name="bin",
        order=330,
    )
