from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant
from marketplace.practitioners.models import PractitionerProfile, Service


@transaction.atomic
def practitioner_profile_ensure(*, user: User, display_name: str) -> PractitionerProfile:
    """Gives the user the practitioner role and a draft profile (idempotent)."""
    base = slugify(display_name) or f"practitioner-{user.pk}"
    profile = PractitionerProfile.objects.filter(user=user).first()
    if profile is None:
        slug, suffix = base, 1
        while PractitionerProfile.objects.filter(slug=slug).exists():
            suffix += 1
            slug = f"{base}-{suffix}"
        profile = PractitionerProfile.objects.create(
            user=user, slug=slug, display_name=display_name
        )
    role_grant(user=user, role=Role.PRACTITIONER)
    return profile


def service_save(*, service: Service) -> Service:
    """Creates or updates a practitioner's service after the model's own validation
    (field limits, price per accepted payment, location, cancellation tiers), so a bad
    combination is a ValidationError keyed by field, never a database error."""
    service.full_clean()
    service.save()
    return service


def service_set_active(*, service: Service, is_active: bool) -> Service:
    """Takes a service off the profile and out of booking (existing bookings keep it), or
    brings it back."""
    if service.is_active != is_active:
        service.is_active = is_active
        service.save(update_fields=["is_active", "updated_at"])
    return service
