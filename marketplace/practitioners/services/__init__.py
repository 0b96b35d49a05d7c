"""Every write about practitioners. Import services from here."""

from marketplace.practitioners.services.credentials import (
    credential_delete,
    credential_reminders_send,
    credential_save,
)
from marketplace.practitioners.services.onboarding import (
    practitioner_activate,
    practitioner_identity_update,
    practitioner_profile_update,
    practitioner_submit,
)
from marketplace.practitioners.services.profiles import (
    practitioner_profile_ensure,
    service_save,
    service_set_active,
)
from marketplace.practitioners.services.verification import (
    kyc_result_apply,
    practitioner_reinstate,
    practitioner_suspend,
    verification_approve,
    verification_reject,
)

__all__ = [
    "credential_delete",
    "credential_reminders_send",
    "credential_save",
    "kyc_result_apply",
    "practitioner_activate",
    "practitioner_identity_update",
    "practitioner_profile_ensure",
    "practitioner_profile_update",
    "practitioner_reinstate",
    "practitioner_submit",
    "practitioner_suspend",
    "service_save",
    "service_set_active",
    "verification_approve",
    "verification_reject",
]
