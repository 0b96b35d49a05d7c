from django.urls import path

from notifications import views

urlpatterns = [
    path("account/notifications/", views.notification_list, name="notifications"),
    path(
        "account/notifications/unread/",
        views.notification_unread_count,
        name="notifications-unread",
    ),
    path(
        "account/notifications/read-all/",
        views.notifications_read_all,
        name="notifications-read-all",
    ),
    path(
        "account/notifications/<int:notification_id>/open/",
        views.notification_open,
        name="notification-open",
    ),
    path(
        "account/notifications/unsubscribe/<str:token>/",
        views.marketing_unsubscribe,
        name="notifications-unsubscribe",
    ),
    path(
        "account/notifications/settings/",
        views.notification_settings,
        name="notification-settings",
    ),
]
