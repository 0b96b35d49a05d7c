"""Contentful's webhook (included at the site root)."""

from django.urls import path

from cms.contentful_sync import views

urlpatterns = [
    path("webhooks/contentful/", views.contentful_webhook, name="contentful-webhook"),
]
