"""Forms of the practitioner's practice dashboard (/dashboard/practice/). They parse and
check what one form can see; checks against the practitioner's other rows, and the
models' own rules, are in the services the views call."""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from django import forms

from commerce.bookings.models import AvailabilityRule
from marketplace.practitioners.models import (
    SERVICE_MAXIMUM_MINUTES,
    SERVICE_MINIMUM_MINUTES,
    Modality,
    Service,
)
from money import Money
from money.forms import MoneyField

_ISO_WEEK = re.compile(r"^(?P<year>\d{4})-W(?P<week>\d{2})$")
WEEK_YEARS = range(2000, 2101)
TIER_ROWS = 4
CURRENCIES = ["GBP", "EUR", "USD", "AUD", "CAD"]
PRICE_MAX = Decimal(100_000)
NOTICE_MAX_MINUTES = 60 * 24 * 60


def parse_iso_week(value: str) -> date:
    """The Monday of an ISO week written "2030-W43"; ValueError for anything else."""
    match = _ISO_WEEK.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a week like 2030-W43.")
    year, week = int(match["year"]), int(match["week"])
    if year not in WEEK_YEARS:
        raise ValueError(f"{year} is out of range.")
    return date.fromisocalendar(year, week, 1)


def format_iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _local_datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _require_end_after_start(form: forms.Form, start: str, end: str, message: str) -> None:
    starts, ends = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if starts is not None and ends is not None and ends <= starts:
        form.add_error(end, message)


class AvailabilityRuleForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label="Day", choices=AvailabilityRule.Weekday.choices, coerce=int
    )
    start_time = forms.TimeField(label="From", widget=_time_input())
    end_time = forms.TimeField(label="Until", widget=_time_input())

    def clean(self):
        cleaned = super().clean()
        _require_end_after_start(self, "start_time", "end_time", "End after the start time.")
        return cleaned


class DateOverrideForm(forms.Form):
    date = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    is_closed = forms.BooleanField(
        label="Closed all day",
        required=False,
        help_text="Or leave this unticked and give the hours you work that day instead.",
    )
    start_time = forms.TimeField(label="From", required=False, widget=_time_input())
    end_time = forms.TimeField(label="Until", required=False, widget=_time_input())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_closed"):
            cleaned["start_time"] = cleaned["end_time"] = None
            return cleaned
        for name in ("start_time", "end_time"):
            if name not in self.errors and cleaned.get(name) is None:
                self.add_error(name, "Give the hours, or tick “Closed all day”.")
        _require_end_after_start(self, "start_time", "end_time", "End after the start time.")
        return cleaned


class TimeOffForm(forms.Form):
    """Times are read in the active time zone: the dashboard views activate the
    practitioner's, and a local time that does not exist or happens twice that day (a
    daylight-saving change) is refused by the field."""

    starts_at = forms.DateTimeField(label="From", widget=_local_datetime_input())
    ends_at = forms.DateTimeField(label="Until", widget=_local_datetime_input())
    reason = forms.CharField(
        label="Note", required=False, max_length=200, help_text="Only you see this."
    )

    def clean(self):
        cleaned = super().clean()
        _require_end_after_start(self, "starts_at", "ends_at", "End after the start.")
        return cleaned


class ExternalCalendarForm(forms.Form):
    ical_url = forms.CharField(
        label="Calendar address (iCal)",
        max_length=1000,
        help_text="The secret iCal or webcal address from Google, Apple or Outlook calendar. "
        "We check it every hour and keep those times free of bookings.",
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )


class BookingCancelForm(forms.Form):
    reason = forms.CharField(
        label="Message to the client",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Included in the cancellation email.",
    )


def _price_field(label: str, help_text: str) -> MoneyField:
    # The currency is set per form (ServiceForm.__init__): it is a field of the same form.
    return MoneyField(label=label, required=False, help_text=help_text)


def _minutes_field(label: str, *, maximum: int, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=maximum, help_text=help_text)


class ServiceForm(forms.Form):
    """Every field of a Service. Prices are entered in the currency's main unit (60.00,
    or 6000 for JPY) and stored in minor units (money.Money); the cancellation policy is
    up to four rows of "hours before" and "refund percent", sorted for the practitioner."""

    name = forms.CharField(label="Name", max_length=160)
    modality = forms.ModelChoiceField(
        label="Modality", queryset=Modality.objects.all(), empty_label="Choose a modality"
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    duration_minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=SERVICE_MINIMUM_MINUTES,
        max_value=SERVICE_MAXIMUM_MINUTES,
    )
    is_online = forms.BooleanField(label="Online session", required=False)
    location = forms.CharField(
        label="Location",
        required=False,
        max_length=255,
        help_text="Where you meet in-person clients.",
    )
    currency = forms.ChoiceField(label="Currency")
    accepts_card = forms.BooleanField(label="Card", required=False)
    price = _price_field("Card price", "What a client pays by card, e.g. 60.00.")
    member_price = _price_field(
        "Member price", "What members pay by card, if less. Leave empty for the card price."
    )
    accepts_credits = forms.BooleanField(label="Credits", required=False)
    credit_price = forms.IntegerField(
        label="Price in credits", required=False, min_value=1, max_value=1000
    )
    accepts_membership = forms.BooleanField(label="Membership allowance", required=False)
    accepts_sponsor = forms.BooleanField(label="Partner sponsorship", required=False)
    buffer_before_minutes = _minutes_field(
        "Break before (minutes)", maximum=240, help_text="Kept free before each session."
    )
    buffer_after_minutes = _minutes_field(
        "Break after (minutes)", maximum=240, help_text="Kept free after each session."
    )
    minimum_notice_minutes = _minutes_field(
        "Minimum notice (minutes)",
        maximum=NOTICE_MAX_MINUTES,
        help_text="How long before the start a client can still book, e.g. 720 for 12 hours.",
    )
    maximum_advance_days = forms.IntegerField(
        label="Book up to (days ahead)", min_value=1, max_value=730
    )

    def __init__(self, *args, service: Service | None = None, **kwargs):
        service = service or Service()
        kwargs.setdefault("initial", self.initial_for(service))
        super().__init__(*args, **kwargs)
        currencies = list(CURRENCIES)
        if service.currency and service.currency not in currencies:
            currencies.append(service.currency)
        self.fields["currency"].choices = [(code, code) for code in currencies]
        # Prices are read in the currency chosen on this form (or the service's).
        chosen = self.data.get(self.add_prefix("currency")) if self.is_bound else None
        currency = chosen if chosen in currencies else (service.currency or currencies[0])
        for name in ("price", "member_price"):
            field = cast(MoneyField, self.fields[name])
            field.currency = currency
            field.max_amount = Money.from_major(PRICE_MAX, currency).amount
        for row in range(TIER_ROWS):
            self.fields[f"tier_{row}_hours"] = forms.IntegerField(
                label=f"Tier {row + 1}: hours before the start",
                required=False,
                min_value=0,
                max_value=24 * 365,
            )
            self.fields[f"tier_{row}_percent"] = forms.IntegerField(
                label=f"Tier {row + 1}: refund percent",
                required=False,
                min_value=0,
                max_value=100,
            )
        self.tier_rows = [
            (self[f"tier_{row}_hours"], self[f"tier_{row}_percent"]) for row in range(TIER_ROWS)
        ]

    @staticmethod
    def initial_for(service: Service) -> dict:
        initial = {
            name: getattr(service, name)
            for name in (
                "name",
                "description",
                "duration_minutes",
                "is_online",
                "location",
                "currency",
                "accepts_card",
                "accepts_credits",
                "credit_price",
                "accepts_membership",
                "accepts_sponsor",
                "buffer_before_minutes",
                "buffer_after_minutes",
                "minimum_notice_minutes",
                "maximum_advance_days",
            )
        }
        initial["modality"] = service.modality_id
        for name in ("price", "member_price"):
            amount = getattr(service, name)
            initial[name] = (
                None
                if amount is None
                else Money(amount, service.currency or "GBP").decimal_string()
            )
        for row, tier in enumerate((service.cancellation_tiers or [])[:TIER_ROWS]):
            if isinstance(tier, dict):
                initial[f"tier_{row}_hours"] = tier.get("hours_before")
                initial[f"tier_{row}_percent"] = tier.get("refund_percent")
        return initial

    def clean(self):
        cleaned = super().clean()
        tiers = []
        for row in range(TIER_ROWS):
            hours_name, percent_name = f"tier_{row}_hours", f"tier_{row}_percent"
            if hours_name in self.errors or percent_name in self.errors:
                continue
            hours, percent = cleaned.get(hours_name), cleaned.get(percent_name)
            if hours is None and percent is None:
                continue
            if hours is None:
                self.add_error(hours_name, "Give the hours before the start for this refund.")
            elif percent is None:
                self.add_error(percent_name, "Give the refund percent for this tier.")
            else:
                tiers.append({"hours_before": hours, "refund_percent": percent})
        tiers.sort(key=lambda tier: -tier["hours_before"])
        cleaned["cancellation_tiers"] = tiers
        for name in ("price", "member_price"):
            price = cleaned.get(name)
            if isinstance(price, Money):
                cleaned[name] = price.amount
        return cleaned

    def apply_to(self, service: Service) -> Service:
        """Copies the cleaned values onto `service` (not saved)."""
        data = self.cleaned_data
        for name in (
            "name",
            "modality",
            "description",
            "duration_minutes",
            "is_online",
            "location",
            "currency",
            "accepts_card",
            "price",
            "member_price",
            "accepts_credits",
            "credit_price",
            "accepts_membership",
            "accepts_sponsor",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "minimum_notice_minutes",
            "maximum_advance_days",
            "cancellation_tiers",
        ):
            setattr(service, name, data[name])
        return service

    def add_model_errors(self, error) -> None:
        """Shows a model ValidationError on the fields it names; the rest (and the
        policy, which spans the tier rows) go to the top of the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            if field == "cancellation_tiers":
                self.add_error(None, [f"Cancellation policy: {message}" for message in messages])
            elif field in self.fields:
                self.add_error(field, messages)
            else:
                self.add_error(None, messages)


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(7)]
