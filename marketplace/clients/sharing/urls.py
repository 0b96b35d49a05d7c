from django.urls import path

from marketplace.clients.sharing import views

urlpatterns = [
    path("account/care/sharing/", views.sharing_page, name="care-sharing"),
    path(
        "account/care/sharing/new/<int:record_id>/",
        views.sharing_new,
        name="care-sharing-new",
    ),
    path(
        "account/care/sharing/<int:grant_id>/revoke/",
        views.sharing_revoke,
        name="care-sharing-revoke",
    ),
    path(
        "dashboard/practice/shared-with-me/",
        views.shared_with_me,
        name="care-shared-with-me",
    ),
]
