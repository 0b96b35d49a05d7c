"""REST endpoints for society partner sponsorships (thin: validate, call, serialize).

POST /api/v1/partners/vouchers/redeem/   {code}  → the enrolment and its pool (200 also
                                                   when already joined: already_joined true)
POST /api/v1/partners/invites/accept/            → enrolments from invitations
GET  /api/v1/partners/pools/?unit=session|credit → pools the caller can draw from now

Errors are {"code", "detail"} (config.api.exception_handler): 400 "invalid_code" or
"invalid", 404 "voucher_not_found", 409 "voucher_expired" | "voucher_exhausted" |
"pool_exhausted", 429 "throttled".
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.partners.models import SponsorPool
from commerce.partners.selectors import pool_eligible_for, pools_for_client
from commerce.partners.services import pool_enroll_by_invite, pool_enroll_with_voucher
from commerce.partners.throttles import VoucherRedeemThrottle
from config.schema import errors


class PoolSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    partner = serializers.CharField(source="partner.name")
    unit = serializers.CharField()
    per_client_cap = serializers.IntegerField()
    used = serializers.IntegerField(source="client_used")
    remaining = serializers.IntegerField(source="client_remaining")
    is_open = serializers.BooleanField(source="is_open_now")
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)


class EnrollmentSerializer(serializers.Serializer):
    via = serializers.CharField()
    enrolled_at = serializers.DateTimeField(source="created_at")
    pool = PoolSerializer()


class VoucherEnrollmentSerializer(EnrollmentSerializer):
    already_joined = serializers.SerializerMethodField()

    def get_already_joined(self, enrollment) -> bool:
        return not enrollment.is_new


class VoucherRedeemSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)


class EnrollmentListSerializer(serializers.Serializer):
    enrollments = EnrollmentSerializer(many=True)


class PoolListQuerySerializer(serializers.Serializer):
    unit = serializers.ChoiceField(choices=SponsorPool.Unit.choices, required=False)


def _with_client_view(enrollments, user):
    """Attaches the annotated pool (the caller's use and what is left) to enrolments."""
    pools = {pool.pk: pool for pool in pools_for_client(user=user)}
    for enrollment in enrollments:
        enrollment.pool = pools[enrollment.pool_id]
    return enrollments


class VoucherRedeemView(APIView):
    """Redeems a voucher code: the caller joins its pool. Repeating it is harmless: the
    same enrolment comes back with already_joined true, and no redemption is counted."""

    throttle_classes = [VoucherRedeemThrottle]

    @extend_schema(
        request=VoucherRedeemSerializer,
        responses={200: VoucherEnrollmentSerializer, **errors(404, 409)},
    )
    def post(self, request):
        serializer = VoucherRedeemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment = pool_enroll_with_voucher(
            user=request.user, code=serializer.validated_data["code"]
        )
        (enrollment,) = _with_client_view([enrollment], request.user)
        return Response(VoucherEnrollmentSerializer(enrollment).data)


class InviteAcceptView(APIView):
    """Accepts every invitation to the caller's verified email addresses."""

    @extend_schema(request=None, responses={200: EnrollmentListSerializer, **errors(409)})
    def post(self, request):
        enrollments = _with_client_view(pool_enroll_by_invite(user=request.user), request.user)
        return Response(EnrollmentListSerializer({"enrollments": enrollments}).data)


class EligiblePoolListView(APIView):
    """The sponsorships the caller can use now, with what is left for them."""

    @extend_schema(parameters=[PoolListQuerySerializer], responses=PoolSerializer(many=True))
    def get(self, request):
        query = PoolListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        pools = pool_eligible_for(user=request.user, unit=query.validated_data.get("unit"))
        return Response(PoolSerializer(pools, many=True).data)


urlpatterns = [
    path(
        "partners/vouchers/redeem/",
        VoucherRedeemView.as_view(),
        name="api-partners-voucher-redeem",
    ),
    path("partners/invites/accept/", InviteAcceptView.as_view(), name="api-partners-invites"),
    path("partners/pools/", EligiblePoolListView.as_view(), name="api-partners-pools"),
]
