from django.urls import path

from notifications import webhooks

urlpatterns = [
    path("webhooks/email/", webhooks.email_tracking_webhook, name="email-webhook"),
]
