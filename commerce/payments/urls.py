from django.urls import path

from commerce.payments import views

urlpatterns = [
    path("webhooks/stripe/", views.stripe_webhook, name="stripe-webhook"),
    path("webhooks/stripe-connect/", views.stripe_connect_webhook, name="stripe-connect-webhook"),
]
