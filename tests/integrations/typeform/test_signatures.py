"""Typeform-Signature verification against Typeform's own test vectors (vendor data) and a
derived one proving the raw bytes are what is signed."""

import pytest

from integrations.typeform.signatures import sign, verify
from integrations.typeform.types import WebhookSignatureError
from tests.integrations.typeform.support import VECTORS


@pytest.mark.parametrize("vector", VECTORS["vendor_vectors"], ids=lambda v: str(v["valid"]))
def test_vendor_vectors(vector):
    payload = vector["payload"].encode()
    if vector["valid"]:
        assert verify(payload, vector["header"], [vector["secret"]]) == vector["secret"]
        assert sign(payload, vector["secret"]) == vector["header"]
    else:
        with pytest.raises(WebhookSignatureError):
            verify(payload, vector["header"], [vector["secret"]])


def test_derived_vector_a_reserialised_body_does_not_verify():
    derived = VECTORS["derived_vectors"][0]
    valid = next(v for v in VECTORS["vendor_vectors"] if v["valid"])
    assert sign(derived["payload"].encode(), derived["secret"]) == derived["header"]
    with pytest.raises(WebhookSignatureError):
        verify(derived["payload"].encode(), valid["header"], [valid["secret"]])


def test_the_matching_secret_among_several_is_returned():
    valid = next(v for v in VECTORS["vendor_vectors"] if v["valid"])
    secrets = ["another-secret", "", valid["secret"]]
    assert verify(valid["payload"].encode(), valid["header"], secrets) == valid["secret"]


@pytest.mark.parametrize("header", ["", "sha1=abc", "X2b3nUhiGjaWHxmPO/YQzUvHXBNac4gPjZ5/bjXrhQY="])
def test_a_header_without_the_sha256_prefix_is_refused(header):
    valid = next(v for v in VECTORS["vendor_vectors"] if v["valid"])
    with pytest.raises(WebhookSignatureError):
        verify(valid["payload"].encode(), header, [valid["secret"]])


def test_no_secret_refuses_everything():
    valid = next(v for v in VECTORS["vendor_vectors"] if v["valid"])
    with pytest.raises(WebhookSignatureError, match="no webhook secret"):
        verify(valid["payload"].encode(), valid["header"], ["", ""])
