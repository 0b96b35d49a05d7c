"""Who may use the practitioner's own pages: the one check every practice page shares."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.roles import Role
from accounts.selectors import user_roles
from marketplace.practitioners.models import PractitionerProfile


def practitioner_view(view):
    """Signed in, holding the practitioner role (so the MFA policy applies) and a
    practitioner profile, which the view receives as its second argument; 403 otherwise."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if Role.PRACTITIONER not in user_roles(user=request.user):
            raise PermissionDenied
        practitioner = PractitionerProfile.objects.filter(user=request.user).first()
        if practitioner is None:
            raise PermissionDenied
        return view(request, practitioner, *args, **kwargs)

    return wrapped
