"""The offline Stripe's hosted pages, mounted at /stripe-local/."""

from django.urls import path

from integrations.stripe import views

app_name = "stripe_local"

urlpatterns = [
    path("checkout/<str:session_id>/", views.checkout, name="checkout"),
    path("connect/<str:account_id>/", views.connect_onboarding, name="connect"),
    path("billing/<str:portal_session_id>/", views.billing_portal, name="billing"),
]
