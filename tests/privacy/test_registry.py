"""Every model that points at a user is either erased by a registered eraser or declared
as holding nothing personal, so a model added later cannot silently escape erasure."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from privacy.registry import covered_models, registered_erasers


def _models_pointing_at_the_user() -> dict[str, list[str]]:
    user_model = get_user_model()
    found: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields(include_hidden=True):
            if (
                field.concrete
                and field.is_relation
                and field.related_model is user_model
                and field.model is model  # inherited fields count once, on their model
                and (field.many_to_one or field.one_to_one)
            ):
                found.setdefault(model._meta.label, []).append(field.name)
    return found


def test_every_model_with_a_user_key_is_erased_or_declared_as_holding_nothing():
    covered = covered_models()
    missing = {
        label: fields
        for label, fields in _models_pointing_at_the_user().items()
        if label not in covered
    }

    assert not missing, (
        "These models point at a user but no app says how erasure treats them; register "
        "an eraser for them (privacy.registry.eraser_register in the app's ready()) or "
        f"declare them with holds_nothing_personal: {missing}"
    )


def test_the_check_sees_models_from_every_layer_and_third_party_apps():
    labels = set(_models_pointing_at_the_user())

    assert {
        "accounts.User_groups",
        "practitioners.PractitionerProfile",
        "bookings.Booking",
        "courses.Enrolment",
        "leads.Lead",
        "account.EmailAddress",
        "wagtailcore.Revision",
    } <= labels
    # A page type's owner is Page's field, counted once on wagtailcore.Page.
    assert "courses.CoursePage" not in labels


def test_every_registered_model_exists():
    for label in covered_models():
        assert apps.get_model(label) is not None


def test_the_account_is_anonymised_after_every_other_eraser():
    erasers = registered_erasers()

    assert erasers[-1].name == "accounts"
    assert {"leads", "form_submissions", "certificates", "bookings", "practitioners"} <= {
        registration.name for registration in erasers
    }


@pytest.mark.parametrize("label", ["leads.Lead", "bookings.Booking", "courses.Certificate"])
def test_models_holding_personal_data_have_an_eraser_not_a_declaration(label):
    assert not covered_models()[label].startswith("nothing personal")
