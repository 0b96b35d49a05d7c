"""Staff screen in the Wagtail admin: browse any user's credit ledger."""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from commerce.credits.selectors import (
    credits_available,
    credits_balance,
    credits_lots,
    credits_next_expiry,
    credits_statement,
)

LEDGER_PERMISSION = "credits.view_creditentry"
ENTRIES_PER_PAGE = 50
MATCHES_SHOWN = 20


class CreditLedgerView(WagtailAdminTemplateMixin, TemplateView):
    """Find a person by email, then see their balance, lots and every wallet entry."""

    template_name = "credits/admin/ledger.html"
    page_title = "Credit ledger"
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(LEDGER_PERMISSION):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def _selected_user(self):
        raw = self.request.GET.get("user", "")
        if not raw:
            return None
        if not raw.isdigit():
            raise Http404("No such user.")
        user = get_user_model().objects.filter(pk=int(raw)).first()
        if user is None:
            raise Http404("No such user.")
        return user

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:254]
        matches = []
        if query:
            matches = list(
                get_user_model()
                .objects.filter(email__icontains=query)
                .order_by("email")[:MATCHES_SHOWN]
            )
        selected = self._selected_user()
        context.update(
            {
                "query": query,
                "matches": matches,
                "selected_user": selected,
                "ledger_url": reverse("credits_admin_ledger"),
            }
        )
        if selected is not None:
            context.update(
                {
                    "balance": credits_balance(user=selected),
                    "available": credits_available(user=selected),
                    "next_expiry": credits_next_expiry(user=selected),
                    "lots": credits_lots(user=selected),
                    "page": Paginator(credits_statement(user=selected), ENTRIES_PER_PAGE).get_page(
                        self.request.GET.get("page")
                    ),
                }
            )
        return context
