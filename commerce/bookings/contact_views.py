"""The client's "Reminders by text message" page: their mobile number, an explicit
opt-in (consent time recorded) and opting out again."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from commerce.bookings.contact import ClientContactPreference
from commerce.bookings.services.contact import contact_preference_set
from commerce.errors import CommerceError


class SmsReminderForm(forms.Form):
    phone_number = forms.CharField(
        label="Mobile number",
        max_length=32,
        required=False,
        help_text="In international form, starting with + and the country code, e.g. "
        "+44 7700 900123.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    sms_opt_in = forms.BooleanField(
        label="Text me booking reminders (24 hours and 1 hour before a session)",
        required=False,
        help_text="Only reminders, never marketing. Untick to stop them at any time.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_sms_view(request: HttpRequest) -> HttpResponse:
    preference = ClientContactPreference.objects.filter(user=request.user).first()
    status = 200
    if request.method == "POST":
        form = SmsReminderForm(request.POST)
        if form.is_valid():
            try:
                saved = contact_preference_set(
                    user=request.user,
                    phone_number=form.cleaned_data["phone_number"],
                    sms_opt_in=form.cleaned_data["sms_opt_in"],
                )
            except CommerceError as error:
                form.add_error("phone_number" if "phone" in error.api_code else None, error.detail)
            else:
                if saved.wants_sms:
                    messages.success(request, "Booking reminders will be texted to you.")
                else:
                    messages.success(request, "You will not get reminders by text message.")
                return redirect("account-sms")
        status = 400
    else:
        form = SmsReminderForm(
            initial={
                "phone_number": preference.phone_number if preference else "",
                "sms_opt_in": bool(preference and preference.sms_opt_in),
            }
        )
    return render(
        request,
        "bookings/account_sms.html",
        {"form": form, "preference": preference},
        status=status,
    )
