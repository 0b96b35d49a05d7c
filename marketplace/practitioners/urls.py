"""The onboarding wizard (under /dashboard/, so MFA applies), credential documents and
the KYC webhook."""

from django.urls import path, re_path

from marketplace.practitioners import views, webhook_views

urlpatterns = [
    path("dashboard/practice/onboarding/", views.overview, name="practitioner-onboarding"),
    path(
        "dashboard/practice/onboarding/profile/",
        views.profile_step,
        name="practitioner-onboarding-profile",
    ),
    path(
        "dashboard/practice/onboarding/credentials/",
        views.credentials_step,
        name="practitioner-onboarding-credentials",
    ),
    path(
        "dashboard/practice/onboarding/credentials/<int:credential_id>/",
        views.credentials_step,
        name="practitioner-onboarding-credential",
    ),
    path(
        "dashboard/practice/onboarding/credentials/<int:credential_id>/delete/",
        views.credential_delete_view,
        name="practitioner-onboarding-credential-delete",
    ),
    path(
        "dashboard/practice/onboarding/credentials/<int:credential_id>/document/",
        views.credential_document,
        name="practitioner-credential-document",
    ),
    path(
        "dashboard/practice/onboarding/identity/",
        views.identity_step,
        name="practitioner-onboarding-identity",
    ),
    path(
        "dashboard/practice/onboarding/submit/", views.submit, name="practitioner-onboarding-submit"
    ),
    path(
        "dashboard/practice/onboarding/activate/",
        views.activate,
        name="practitioner-onboarding-activate",
    ),
    path("webhooks/kyc/", views.kyc_webhook, name="kyc-webhook"),
    # FrankieOne appends "/<requestId>" to the address we give it; with or without a
    # trailing slash either way.
    re_path(
        r"^webhooks/kyc/frankieone/(?P<secret>[^/]+)(?:/+(?P<request_id>[^/]+))?/*$",
        webhook_views.frankieone_notification,
        name="kyc-frankieone-notification",
    ),
]
