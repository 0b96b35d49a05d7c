from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_roles, user_security_summary


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    time_zone = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    mfa_enabled = serializers.BooleanField()
    mfa_required = serializers.BooleanField()


class MeView(APIView):
    """GET /api/v1/me/: who is signed in, their roles and MFA state."""

    serializer_class = MeSerializer

    def get(self, request):
        user = request.user
        security = user_security_summary(user=user)
        data = {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "time_zone": user.time_zone,
            "roles": sorted(role.value for role in user_roles(user=user)),
            "mfa_enabled": security["mfa_enabled"],
            "mfa_required": security["mfa_required"],
        }
        return Response(MeSerializer(data).data)
