"""Applying to practise: public pages outside /dashboard/ (anyone may start one)."""

from django.urls import path

from marketplace.practitioners import views_apply

urlpatterns = [
    path("practise/apply/", views_apply.apply, name="practitioner-apply"),
    path(
        "practise/invitation/<str:token>/",
        views_apply.invitation,
        name="practitioner-invitation",
    ),
]
