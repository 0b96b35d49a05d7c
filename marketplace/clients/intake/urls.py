"""Intake pages and the Typeform webhook. Record-scoped URL names start with `care-` (the
isolation matrix walks them)."""

from django.urls import path

from marketplace.clients.intake import views

urlpatterns = [
    path("dashboard/practice/intake/", views.intake_forms, name="practice-intake"),
    path(
        "dashboard/practice/intake/<int:form_id>/",
        views.intake_form_edit,
        name="practice-intake-form",
    ),
    path(
        "dashboard/practice/clients/<int:record_id>/intake/",
        views.practitioner_intakes,
        name="care-intake-practitioner",
    ),
    path(
        "dashboard/practice/clients/<int:record_id>/intake/<int:booking_id>/",
        views.practitioner_intake_detail,
        name="care-intake-practitioner-detail",
    ),
    path("account/care/<int:record_id>/intake/", views.client_intakes, name="care-intake-client"),
    path(
        "account/care/<int:record_id>/intake/<int:booking_id>/",
        views.client_intake_fill,
        name="care-intake-client-fill",
    ),
    path("webhooks/typeform/", views.typeform_webhook, name="typeform-webhook"),
]
