"""Staff screens for society partners in the Wagtail admin: partners and their
administrators, pools, invitations and voucher codes.

Writes go through the services, not a model form's save(): a form would write back every
column it loaded, overwriting `units_used` or `redemptions` that a booking or redemption
changed meanwhile, and would skip granting the Partners role."""

from django import forms
from django.contrib import messages
from django.db.models import ProtectedError
from django.forms import modelform_factory
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import log

from accounts.models import User
from commerce.errors import CommerceError
from commerce.partners.models import Partner, PartnerAdmin, PoolInvite, SponsorPool, VoucherCode
from commerce.partners.services import (
    partner_admin_add,
    partner_admin_remove,
    pool_create,
    pool_invite,
    pool_update,
    split_email_list,
    voucher_create,
    voucher_update,
)

# ---------- Shared view behaviour ----------


class ServiceErrorsAsFormErrorsMixin:
    """A service's refusal (commerce.errors) shows on the form instead of failing the
    request; the service's transaction has rolled back, so nothing is half-written."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except CommerceError as error:
            form.add_error(None, error.detail)
            self.produced_error_code = error.api_code
            self.produced_error_message = error.detail
            return self.form_invalid(form)


class ProtectedDeleteMixin:
    """Records that others depend on (a pool's draws, a partner's pools) are kept: say so
    instead of failing. Deactivate them instead."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                f"“{self.object}” has usage records and cannot be deleted. Deactivate it instead.",
            )
            return redirect(self.get_success_url())


class ReportLinkColumn(Column):
    cell_template_name = "partners/admin/report_link_cell.html"


# ---------- Partners ----------


class PartnerViewSet(ModelViewSet):
    name = "partners_partner"
    model = Partner
    icon = "group"
    menu_label = "Partners"
    url_prefix = "partners/organisations"
    form_fields = ["name", "slug", "is_active"]
    list_display = ["name", "slug", "is_active", "created_at", ReportLinkColumn("report")]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    search_backend_name = None
    copy_view_enabled = False
    delete_view_class = type("PartnerDeleteView", (ProtectedDeleteMixin, generic.DeleteView), {})


# ---------- Partner administrators ----------


class PartnerAdminForm(WagtailAdminModelForm):
    """Names the person by email: a list of every account would be unusable."""

    email = forms.EmailField(
        label="Administrator's email", help_text="The person must already have an account."
    )

    class Meta:
        model = PartnerAdmin
        fields = ["partner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError("No active account uses this email address.")
        self.user = user
        return email


class PartnerAdminCreateView(ServiceErrorsAsFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        admin = partner_admin_add(partner=self.form.cleaned_data["partner"], user=self.form.user)
        log(instance=admin, action="wagtail.create", user=self.request.user)
        return admin


class PartnerAdminEditView(ServiceErrorsAsFormErrorsMixin, generic.EditView):
    def save_instance(self):
        previous = PartnerAdmin.objects.select_related("partner", "user").get(pk=self.object.pk)
        partner, user = self.form.cleaned_data["partner"], self.form.user
        if (previous.partner_id, previous.user_id) == (partner.pk, user.pk):
            return previous
        partner_admin_remove(partner=previous.partner, user=previous.user)
        admin = partner_admin_add(partner=partner, user=user)
        log(instance=admin, action="wagtail.edit", user=self.request.user)
        return admin

    def get_success_url(self):
        return reverse(self.index_url_name)


class PartnerAdminDeleteView(generic.DeleteView):
    def delete_action(self):
        partner_admin_remove(partner=self.object.partner, user=self.object.user)
        log(instance=self.object, action="wagtail.delete", user=self.request.user)


class PartnerAdminViewSet(ModelViewSet):
    name = "partners_admin"
    model = PartnerAdmin
    icon = "user"
    menu_label = "Partner administrators"
    url_prefix = "partners/administrators"
    form_fields = ["partner"]
    list_display = ["user", "partner", "created_at"]
    list_filter = ["partner"]
    search_fields = ["user__email", "partner__name"]
    search_backend_name = None
    copy_view_enabled = False
    add_view_class = PartnerAdminCreateView
    edit_view_class = PartnerAdminEditView
    delete_view_class = PartnerAdminDeleteView

    def get_form_class(self, for_update=False):
        return PartnerAdminForm

    def get_queryset(self, request):
        return PartnerAdmin.objects.select_related("partner", "user")


# ---------- Pools ----------

POOL_CREATE_FIELDS = [
    "partner",
    "name",
    "unit",
    "units_funded",
    "per_client_cap",
    "eligibility",
    "starts_at",
    "ends_at",
    "is_active",
]
POOL_EDIT_FIELDS = [
    "name",
    "units_funded",
    "per_client_cap",
    "eligibility",
    "starts_at",
    "ends_at",
    "is_active",
]


class PoolCreateView(ServiceErrorsAsFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        pool = pool_create(**{field: self.form.cleaned_data[field] for field in POOL_CREATE_FIELDS})
        log(instance=pool, action="wagtail.create", user=self.request.user)
        return pool


class PoolEditView(ServiceErrorsAsFormErrorsMixin, generic.EditView):
    def save_instance(self):
        changes = {field: self.form.cleaned_data[field] for field in self.form.changed_data}
        pool = pool_update(pool=self.object, changes=changes)
        if changes:
            log(instance=pool, action="wagtail.edit", user=self.request.user)
        return pool


class SponsorPoolViewSet(ModelViewSet):
    name = "partners_pool"
    model = SponsorPool
    icon = "pick"
    menu_label = "Sponsor pools"
    url_prefix = "partners/pools"
    list_display = [
        "name",
        "partner",
        "unit",
        "units_funded",
        "units_used",
        "per_client_cap",
        "eligibility",
        "is_active",
    ]
    list_filter = ["partner", "unit", "is_active"]
    search_fields = ["name", "partner__name"]
    search_backend_name = None
    copy_view_enabled = False
    add_view_class = PoolCreateView
    edit_view_class = PoolEditView
    delete_view_class = type("PoolDeleteView", (ProtectedDeleteMixin, generic.DeleteView), {})

    @cached_property
    def form_fields(self):
        return POOL_CREATE_FIELDS

    def get_form_class(self, for_update=False):
        fields = POOL_EDIT_FIELDS if for_update else POOL_CREATE_FIELDS
        return modelform_factory(SponsorPool, form=WagtailAdminModelForm, fields=fields)

    def get_queryset(self, request):
        return SponsorPool.objects.select_related("partner")


# ---------- Invitations ----------


class PoolInviteCreateForm(WagtailAdminModelForm):
    """Invites many addresses at once."""

    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One per line, or separated by commas. Duplicates are ignored.",
    )

    class Meta:
        model = PoolInvite
        fields = ["pool"]


class PoolInviteCreateView(ServiceErrorsAsFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        invites = pool_invite(
            pool=self.form.cleaned_data["pool"],
            emails=split_email_list(self.form.cleaned_data["emails"]),
        )
        for invite in invites:
            log(instance=invite, action="wagtail.create", user=self.request.user)
        self.invite_count = len(invites)
        return invites[0]

    def get_success_message(self, instance):
        return f"{self.invite_count} address(es) invited to {instance.pool}."


class PoolInviteEditView(generic.EditView):
    def save_instance(self):
        invite = self.form.instance
        invite.save(update_fields=["email"])
        log(instance=invite, action="wagtail.edit", user=self.request.user)
        return invite


class PoolInviteViewSet(ModelViewSet):
    name = "partners_invite"
    model = PoolInvite
    icon = "mail"
    menu_label = "Pool invitations"
    url_prefix = "partners/invitations"
    list_display = ["email", "pool", "invited_at", "accepted_at"]
    list_filter = ["pool"]
    search_fields = ["email", "pool__name"]
    search_backend_name = None
    copy_view_enabled = False
    add_view_class = PoolInviteCreateView
    edit_view_class = PoolInviteEditView

    @cached_property
    def form_fields(self):
        return ["email"]

    def get_form_class(self, for_update=False):
        if not for_update:
            return PoolInviteCreateForm
        return modelform_factory(PoolInvite, form=WagtailAdminModelForm, fields=["email"])

    def get_queryset(self, request):
        return PoolInvite.objects.select_related("pool__partner")


# ---------- Voucher codes ----------

VOUCHER_EDIT_FIELDS = ["max_redemptions", "expires_at", "is_active"]


class VoucherCreateForm(WagtailAdminModelForm):
    class Meta:
        model = VoucherCode
        fields = ["pool", "code", "max_redemptions", "expires_at", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields[
            "code"
        ].help_text = "Leave empty for a readable random code. Letters, digits and hyphens."


class VoucherCreateView(ServiceErrorsAsFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        voucher = voucher_create(
            pool=data["pool"],
            code=data.get("code") or None,
            max_redemptions=data.get("max_redemptions"),
            expires_at=data.get("expires_at"),
            is_active=data.get("is_active", True),
        )
        log(instance=voucher, action="wagtail.create", user=self.request.user)
        return voucher


class VoucherEditView(ServiceErrorsAsFormErrorsMixin, generic.EditView):
    def save_instance(self):
        changes = {field: self.form.cleaned_data[field] for field in self.form.changed_data}
        voucher = voucher_update(voucher=self.object, changes=changes)
        if changes:
            log(instance=voucher, action="wagtail.edit", user=self.request.user)
        return voucher


class VoucherCodeViewSet(ModelViewSet):
    name = "partners_voucher"
    model = VoucherCode
    icon = "tag"
    menu_label = "Voucher codes"
    url_prefix = "partners/vouchers"
    list_display = ["code", "pool", "redemptions", "max_redemptions", "expires_at", "is_active"]
    list_filter = ["pool", "is_active"]
    search_fields = ["code", "pool__name"]
    search_backend_name = None
    copy_view_enabled = False
    add_view_class = VoucherCreateView
    edit_view_class = VoucherEditView

    @cached_property
    def form_fields(self):
        return VOUCHER_EDIT_FIELDS

    def get_form_class(self, for_update=False):
        if not for_update:
            return VoucherCreateForm
        return modelform_factory(
            VoucherCode, form=WagtailAdminModelForm, fields=VOUCHER_EDIT_FIELDS
        )

    def get_queryset(self, request):
        return VoucherCode.objects.select_related("pool__partner")


class PartnersViewSetGroup(ModelViewSetGroup):
    menu_label = "Partners"
    menu_icon = "group"
    menu_order = 300
    items = (
        PartnerViewSet,
        PartnerAdminViewSet,
        SponsorPoolViewSet,
        PoolInviteViewSet,
        VoucherCodeViewSet,
    )


@hooks.register("register_admin_viewset")
def register_partners_viewsets():
    return PartnersViewSetGroup()
