from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant
from marketplace.clients.models import ClientProfile


@transaction.atomic
def client_profile_ensure(*, user: User) -> ClientProfile:
    """Gives the user the client role and its profile row (idempotent)."""
    profile, _ = ClientProfile.objects.get_or_create(user=user)
    role_grant(user=user, role=Role.CLIENT)
    return profile
