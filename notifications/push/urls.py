from django.urls import path

from notifications.push import views

urlpatterns = [
    path(
        "account/notifications/push/subscriptions/",
        views.push_subscriptions,
        name="push-subscriptions",
    ),
    path("manifest.webmanifest", views.manifest, name="webmanifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline, name="offline"),
]
