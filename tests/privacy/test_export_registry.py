"""Every model holding personal data is in the person's export or excluded with a reason,
so a model added later cannot silently stay out of "Download my data".

Personal data, for this test: a model with a foreign key or one-to-one to the user, or
to a model that stands for a person (PERSON_MODELS: a client or practitioner profile, a
care record), plus the models listed in ALSO_PERSONAL that identify a person without
such a key."""

from django.apps import apps
from django.contrib.auth import get_user_model

from privacy.export import covered_models, registered_exporters

PERSON_MODELS = (
    "clients.ClientProfile",
    "practitioners.PractitionerProfile",
    "care_records.CareRecord",
)
ALSO_PERSONAL = ("leads.LeadFormSubmission",)


def _person_models() -> set[type]:
    models = {get_user_model()}
    for label in PERSON_MODELS:
        models.add(apps.get_model(label))
    return models


def personal_models() -> dict[str, list[str]]:
    anchors = _person_models()
    found: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields(include_hidden=True):
            if (
                field.concrete
                and field.is_relation
                and field.related_model in anchors
                and field.model is model
                and (field.many_to_one or field.one_to_one)
            ):
                found.setdefault(model._meta.label, []).append(field.name)
    for label in ALSO_PERSONAL:
        found.setdefault(label, ["(listed)"])
    return found


def test_every_model_with_personal_data_is_exported_or_excluded_with_a_reason():
    covered = covered_models()
    missing = {label: keys for label, keys in personal_models().items() if label not in covered}

    assert not missing, (
        "These models hold personal data but are in nobody's export: register them with "
        "privacy.export.register(label, fn, models=(...)) in the app's ready(), or declare "
        f"them with privacy.export.exclude(models=..., reason=...): {missing}"
    )


def test_the_check_reaches_every_layer_through_the_person_models():
    labels = set(personal_models())

    assert {
        "accounts.User_groups",
        "bookings.Booking",
        "practitioners.Service",
        "credits.CreditAccount",
        "courses.Enrolment",
        "leads.Lead",
        "care_records.CareRecord",
        "wagtailcore.Revision",
    } <= labels


def test_exclusions_give_a_reason_and_name_real_models():
    for label, why in covered_models().items():
        assert apps.get_model(label) is not None
        if why.startswith("excluded:"):
            assert len(why) > len("excluded: ") + 10, label


def test_domains_holding_a_clients_own_records_are_exported_not_excluded():
    covered = covered_models()
    for label in (
        "bookings.Booking",
        "credits.CreditAccount",
        "memberships.Membership",
        "leads.Lead",
        "courses.Enrolment",
        "payments.Payment",
    ):
        assert not covered[label].startswith("excluded"), label
    assert registered_exporters()[0].label == "account"
