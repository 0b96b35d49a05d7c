"""Each question kind checks its answers on the server: what is accepted, how it is
stored, and the message for what is not."""

import pytest

from marketplace.clients.intake import questions as q


def build(kind, **extra):
    return q.question_build(kind=kind, label="Question", **extra)


@pytest.mark.parametrize(
    ("question", "given", "stored"),
    [
        (build("short_text"), "  Dr Rowe ", "Dr Rowe"),
        (build("long_text"), "Line one\nLine two", "Line one\nLine two"),
        (build("single_choice", choices=["A", "B"]), "B", "B"),
        (build("multiple_choice", choices=["A", "B", "C"]), ["C", "A"], ["A", "C"]),
        (build("multiple_choice", choices=["A", "B"]), "B", ["B"]),
        (build("scale", scale_min=0, scale_max=10), "7", 7),
        (build("scale", scale_min=0, scale_max=10), 0, 0),
        (build("date"), "2026-02-28", "2026-02-28"),
        (build("yes_no"), "yes", True),
        (build("yes_no"), False, False),
    ],
)
def test_accepted_answers_are_stored_normalised(question, given, stored):
    assert q.clean_answer(question, given) == stored


@pytest.mark.parametrize(
    ("question", "given", "message"),
    [
        (build("short_text"), "x" * 501, "under 500"),
        (build("short_text"), 12, "Enter text"),
        (build("long_text"), "x" * 10_001, "under 10000"),
        (build("single_choice", choices=["A", "B"]), "C", "one of the options"),
        (build("single_choice", choices=["A", "B"]), ["A"], "one of the options"),
        (build("multiple_choice", choices=["A", "B"]), ["A", "Z"], "from the options"),
        (build("scale", scale_min=1, scale_max=5), "6", "from 1 to 5"),
        (build("scale", scale_min=1, scale_max=5), "2.5", "from 1 to 5"),
        (build("scale", scale_min=1, scale_max=5), True, "point on the scale"),
        (build("date"), "31/01/2026", "like 2026-01-31"),
        (build("date"), "2026-02-30", "like 2026-01-31"),
        (build("date"), "1700-01-01", "real date"),
        (build("yes_no"), "maybe", "yes or no"),
    ],
)
def test_wrong_answers_are_refused_with_a_message(question, given, message):
    with pytest.raises(ValueError, match=message):
        q.clean_answer(question, given)


@pytest.mark.parametrize(
    "kind_extra",
    [
        ("short_text", {}),
        ("long_text", {}),
        ("single_choice", {"choices": ["A", "B"]}),
        ("multiple_choice", {"choices": ["A", "B"]}),
        ("scale", {}),
        ("date", {}),
        ("yes_no", {}),
    ],
)
def test_required_questions_need_an_answer_and_optional_ones_may_be_left(kind_extra):
    kind, extra = kind_extra
    required = build(kind, required=True, **extra)
    optional = build(kind, **extra)
    for empty in (None, "", "  ", []):
        with pytest.raises(ValueError):
            q.clean_answer(required, empty)
        assert q.clean_answer(optional, empty) is None


def test_clean_answers_reports_every_error_and_ignores_unknown_keys():
    questions = [build("short_text", required=True), build("yes_no", required=True)]
    answers, errors = q.clean_answers(questions, {questions[1]["id"]: "no", "other": "x"})
    assert answers == {questions[1]["id"]: False}
    assert set(errors) == {questions[0]["id"]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "essay", "label": "x"}, "kind"),
        ({"kind": "short_text", "label": " "}, "needs its text"),
        ({"kind": "single_choice", "label": "x", "choices": ["A", "A", ""]}, "two different"),
        ({"kind": "scale", "label": "x", "scale_min": 5, "scale_max": 5}, "lower to a higher"),
        ({"kind": "scale", "label": "x", "scale_min": -100, "scale_max": 100}, "at most 101"),
    ],
)
def test_questions_that_cannot_work_are_refused(fields, message):
    with pytest.raises(q.QuestionError, match=message):
        q.question_build(**fields)
