"""A pack id from the form is digits or nothing: text that str.isdigit() accepts but
int() refuses (superscripts), or a number too long for a key, is the clear "no such
credit pack" message, never a server error."""

import pytest

from commerce.errors import InvalidRequest
from commerce.payments.models import Payment
from commerce.payments.services import credit_pack_checkout_create
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

ODD_IDS = ["²", "1²", "①", "1" * 19, "1" * 5000]


@pytest.mark.parametrize("pack", ODD_IDS)
def test_the_form_turns_an_odd_pack_id_into_the_clear_message(client, pack):
    client.force_login(UserFactory())
    response = client.post("/credits/buy/checkout/", {"pack": pack}, follow=True)
    assert response.status_code == 200
    assert b"no such credit pack" in response.content
    assert not Payment.objects.exists()


@pytest.mark.parametrize("pack", ODD_IDS)
def test_the_service_refuses_an_odd_pack_id_as_invalid(pack):
    with pytest.raises(InvalidRequest) as refused:
        credit_pack_checkout_create(
            user=UserFactory(), pack_id=pack, success_url="https://x/ok", cancel_url="https://x/no"
        )
    assert refused.value.api_code == "invalid_pack"
