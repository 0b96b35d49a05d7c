"""The signed-in person's own pages: account overview and the dashboard hub."""

from allauth.account.utils import get_next_redirect_url
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from accounts.roles import Role
from accounts.selectors import user_roles, user_security_summary


@login_required
def account_overview(request):
    """Email, roles and sign-in security state, with links to manage each."""
    roles = sorted(user_roles(user=request.user), key=lambda role: role.label)
    return render(
        request,
        "accounts/overview.html",
        {"roles": roles, "security": user_security_summary(user=request.user)},
    )


@login_required
def dashboard(request):
    """The work areas the person's roles open. Reaching it needs MFA for privileged roles
    (accounts.middleware.RequireMfaMiddleware)."""
    roles = user_roles(user=request.user)
    return render(
        request,
        "accounts/dashboard.html",
        {
            "roles": sorted(roles, key=lambda role: role.label),
            "can_use_cms": request.user.has_perm("wagtailadmin.access_admin"),
            "can_use_django_admin": request.user.is_superuser,
            "is_practitioner": Role.PRACTITIONER in roles,
            "is_client": Role.CLIENT in roles,
        },
    )


def wagtail_admin_login(request):
    """Replaces Wagtail's own login form, which would sign people in with a password alone,
    skipping allauth's rate limits and second factor: everyone signs in through allauth."""
    next_url = get_next_redirect_url(request) or reverse("wagtailadmin_home")
    if request.user.is_authenticated:
        return redirect(next_url)
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
