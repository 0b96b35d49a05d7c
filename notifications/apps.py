from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anymail.signals import tracking
        from django.contrib.auth.signals import user_logged_in

        from notifications import live, registrations, senders, webhooks
        from notifications.channels import register_sender
        from notifications.kinds import Channel

        register_sender(Channel.EMAIL, senders.email_send)
        register_sender(Channel.SMS, senders.sms_send)
        registrations.register()
        # allauth's emails (notify-migrate, decision 0038).
        from notifications import account_mail

        account_mail.register_types()
        # Anymail's webhook view validates the request and sends this signal per event.
        tracking.connect(webhooks.tracking_received, dispatch_uid="notifications.tracking")
        # The bell on every page reads the unread count; sign-in puts it in the cache.
        user_logged_in.connect(live.unread_count_warm, dispatch_uid="notifications.unread_warm")
