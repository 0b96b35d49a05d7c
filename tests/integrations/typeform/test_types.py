"""Reading a response from a webhook body: answers keyed by field ref, values by answer
type, titles from the definition; anything else is refused."""

import json

import pytest

from integrations.typeform.types import InvalidTypeformPayload, TypeformResponse
from tests.integrations.typeform.support import answer, form_response, webhook_body


def test_every_answer_type_is_read_by_its_value_key():
    answers = [
        answer("why", "text", "Back pain", field_type="long_text"),
        answer("mail", "email", "a@example.org"),
        answer("phone", "phone_number", "+447700900123"),
        answer("age", "number", 41),
        answer("first", "boolean", True, field_type="yes_no"),
        answer("since", "date", "2026-01-31"),
        answer("site", "url", "https://example.org"),
        answer(
            "one",
            "choice",
            {"id": "c1", "label": "Morning", "ref": "am"},
            field_type="multiple_choice",
        ),
        answer("many", "choices", {"labels": ["Neck", "Back"], "other": "Knee"}),
    ]
    body = webhook_body(
        form_response(answers=answers, hidden={"booking": "ref1"}, titles={"why": "Why now?"}),
        event_id="evtA",
    )

    response = TypeformResponse.from_webhook(body)

    assert response.event_id == "evtA"
    assert response.token == "tok0000000000000000000000000001"
    assert response.hidden == {"booking": "ref1"}
    values = {item.key: item.value for item in response.answers}
    assert values == {
        "why": "Back pain",
        "mail": "a@example.org",
        "phone": "+447700900123",
        "age": 41,
        "first": True,
        "since": "2026-01-31",
        "site": "https://example.org",
        "one": "Morning",
        "many": ["Neck", "Back", "Knee"],
    }
    assert response.answers[0].title == "Why now?"
    assert response.submitted_at.isoformat() == "2026-12-01T10:00:00+00:00"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"event_type": "form_response_partial", "form_response": {}}).encode(),
        webhook_body({**form_response(), "token": ""}),
        webhook_body({**form_response(), "submitted_at": "yesterday"}),
        webhook_body({**form_response(), "answers": [{"field": {}, "type": "text", "text": "x"}]}),
        webhook_body({**form_response(), "answers": [answer("x", "hologram", 1)]}),
        webhook_body({**form_response(), "hidden": ["booking"]}),
    ],
)
def test_bodies_that_are_not_submitted_responses_are_refused(body):
    with pytest.raises(InvalidTypeformPayload):
        TypeformResponse.from_webhook(body)


def test_a_response_goes_back_to_the_webhook_shape_unchanged():
    answers = [
        answer("why", "text", "Back pain", field_type="long_text"),
        answer("first", "boolean", False, field_type="yes_no"),
        answer("one", "choice", {"label": "Morning"}, field_type="multiple_choice"),
        answer("many", "choices", {"labels": ["Neck", "Back"]}),
        answer("since", "date", "2026-01-31"),
    ]
    original = TypeformResponse.from_webhook(
        webhook_body(form_response(answers=answers, hidden={"booking": "r"}), event_id="e1")
    )

    again = TypeformResponse.from_webhook(original.as_webhook())

    assert again == original
