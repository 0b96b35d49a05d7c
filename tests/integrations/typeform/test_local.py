"""The offline Typeform: a submitted form becomes the signed `form_response` webhook
Typeform would send, delivered to the configured receiver, and is served back like the
Responses API."""

import json

import pytest
from django.test import override_settings

from integrations.typeform.local import LocalTypeform
from integrations.typeform.signatures import verify

received: list[tuple[bytes, str]] = []


def receiver(body: bytes, signature: str) -> None:
    received.append((body, signature))


@pytest.fixture(autouse=True)
def _clean():
    LocalTypeform.reset()
    received.clear()
    with override_settings(
        TYPEFORM_LOCAL_WEBHOOK_RECEIVER="tests.integrations.typeform.test_local.receiver",
        TYPEFORM_WEBHOOK_SECRET="local-test-secret",
    ):
        yield
    LocalTypeform.reset()


def test_a_submission_is_delivered_signed_with_answers_by_ref():
    form = LocalTypeform.submit(
        form_id="demo1",
        hidden={"booking": "ref-1"},
        values={"reason": "Sleep", "first_time": True, "contact_time": "Evening"},
    )

    [(body, signature)] = received
    verify(body, signature, ["local-test-secret"])
    envelope = json.loads(body)
    assert envelope["event_type"] == "form_response"
    assert envelope["form_response"]["token"] == form["token"]
    assert envelope["form_response"]["hidden"] == {"booking": "ref-1"}
    answers = {a["field"]["ref"]: a for a in envelope["form_response"]["answers"]}
    assert set(answers) == {"reason", "first_time", "contact_time"}  # unanswered left out
    assert answers["first_time"]["boolean"] is True
    assert answers["contact_time"]["choice"] == {"label": "Evening"}


def test_responses_are_served_newest_first_and_filtered():
    first = LocalTypeform.submit(form_id="demo1", hidden={}, values={"reason": "a"})
    second = LocalTypeform.submit(form_id="demo1", hidden={}, values={"reason": "b"})
    gateway = LocalTypeform()

    page = gateway.responses(form_id="demo1")
    assert [item.token for item in page.items] == [second["token"], first["token"]]
    assert (
        gateway.responses(form_id="demo1", before=second["token"]).items[0].token == first["token"]
    )
    assert [
        i.token for i in gateway.responses(form_id="demo1", tokens=(first["token"],)).items
    ] == [first["token"]]
    assert gateway.responses(form_id="other").items == ()


def test_the_form_link_is_the_local_page_with_hidden_fields():
    url = LocalTypeform().form_url(form_id="demo1", hidden={"booking": "r1"}, return_url="/a/")
    assert url == "/typeform-local/demo1/?booking=r1&return_to=%2Fa%2F"
