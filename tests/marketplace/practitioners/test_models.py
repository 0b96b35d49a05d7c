import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from marketplace.practitioners.models import PractitionerProfile, validate_cancellation_tiers
from tests.marketplace.practitioners.factories import (
    ModalityFactory,
    PractitionerProfileFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db


def test_profile_time_zone_defaults_to_london_and_must_be_iana():
    profile = PractitionerProfileFactory.build(time_zone="Europe/London")
    assert PractitionerProfile._meta.get_field("time_zone").default == "Europe/London"
    profile.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError) as error:
        profile.full_clean(exclude=["user"])
    assert "time_zone" in error.value.message_dict


def test_modality_slug_is_unique():
    ModalityFactory(slug="reiki", name="Reiki")
    with pytest.raises(IntegrityError), transaction.atomic():
        ModalityFactory._meta.model.objects.create(slug="reiki", name="Reiki again")


def test_a_valid_service_cleans():
    service = ServiceFactory()
    service.full_clean()
    assert str(service) == f"{service.name} (60 min)"


@pytest.mark.parametrize("minutes", [4, 481])
def test_duration_out_of_range_is_refused_by_the_database(minutes):
    service = ServiceFactory()
    service.duration_minutes = minutes
    with pytest.raises(IntegrityError), transaction.atomic():
        service.save()


def test_card_accepting_service_needs_a_price():
    service = ServiceFactory()
    service.price = None
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert "price" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        service.save()


def test_a_credits_only_service_has_no_card_price():
    service = ServiceFactory(accepts_card=False, price=None, accepts_credits=True, credit_price=3)
    service.full_clean()


def test_credits_need_a_credit_price():
    service = ServiceFactory.build(accepts_credits=True, credit_price=None)
    with pytest.raises(ValidationError) as error:
        service.full_clean(exclude=["practitioner", "modality"])
    assert "credit_price" in error.value.message_dict


def test_in_person_service_needs_a_location():
    service = ServiceFactory.build(is_online=False, location="")
    with pytest.raises(ValidationError) as error:
        service.full_clean(exclude=["practitioner", "modality"])
    assert "location" in error.value.message_dict


@pytest.mark.parametrize(
    "tiers",
    [
        [],
        [{"hours_before": 24, "refund_percent": 100}],
        [
            {"hours_before": 24, "refund_percent": 100},
            {"hours_before": 2, "refund_percent": 50},
            {"hours_before": 0, "refund_percent": 0},
        ],
    ],
)
def test_valid_cancellation_tiers(tiers):
    validate_cancellation_tiers(tiers)


@pytest.mark.parametrize(
    "tiers",
    [
        {"hours_before": 24},
        [{"hours_before": 24, "refund_percent": 101}],
        [{"hours_before": -1, "refund_percent": 50}],
        [{"hours_before": 2, "refund_percent": 50}, {"hours_before": 24, "refund_percent": 100}],
        [{"hours_before": 2, "refund_percent": 50}, {"hours_before": 2, "refund_percent": 10}],
        [{"hours_before": 2, "refund_percent": 50, "extra": 1}],
        [{"hours_before": "2", "refund_percent": 50}],
        [{"hours_before": True, "refund_percent": 50}],
        ["24h"],
    ],
)
def test_invalid_cancellation_tiers_fail_clean(tiers):
    service = ServiceFactory.build(cancellation_tiers=tiers)
    with pytest.raises(ValidationError) as error:
        service.full_clean(exclude=["practitioner", "modality"])
    assert "cancellation_tiers" in error.value.message_dict


def test_refund_percent_follows_the_tiers():
    service = ServiceFactory.build()
    assert service.refund_percent_for(hours_before=48) == 100
    assert service.refund_percent_for(hours_before=24) == 100
    assert service.refund_percent_for(hours_before=5) == 50
    assert service.refund_percent_for(hours_before=1) == 0
