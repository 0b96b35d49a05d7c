"""The signed-in person's own pages: account overview and the dashboard hub."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

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
