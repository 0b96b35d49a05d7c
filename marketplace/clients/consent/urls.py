from django.urls import path

from marketplace.clients.consent import views

urlpatterns = [
    path("account/care/consents/", views.consents_page, name="care-consents"),
    path(
        "account/care/consents/<slug:kind>/",
        views.consent_sign_page,
        name="care-consent-sign",
    ),
    path(
        "account/care/consents/<slug:kind>/withdraw/",
        views.consent_withdraw_page,
        name="care-consent-withdraw",
    ),
    path(
        "dashboard/practice/clients/<int:record_id>/consent/",
        views.practice_record_consent,
        name="care-consent-practitioner",
    ),
    path(
        "account/care/<int:record_id>/consent/",
        views.client_record_consent,
        name="care-consent-client",
    ),
]
