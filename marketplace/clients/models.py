from django.conf import settings
from django.db import models


class ClientProfile(models.Model):
    """The client role's own row: present for everyone who can book or learn."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_profile"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Client {self.user}"
