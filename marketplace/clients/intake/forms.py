"""Forms of the practitioner's intake builder (the client's answers are checked by
questions.clean_answers, since their fields depend on the version answered)."""

from django import forms

from marketplace.clients.intake import questions as q


class NewFormForm(forms.Form):
    title = forms.CharField(label="Title", max_length=160)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of question", choices=list(q.KINDS.items()))
    label = forms.CharField(label="Question", max_length=q.MAX_LABEL)
    help_text = forms.CharField(
        label="Help text",
        max_length=q.MAX_HELP,
        required=False,
        help_text="Shown under the question.",
    )
    required = forms.BooleanField(label="An answer is required", required=False)
    choices = forms.CharField(
        label="Choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For single and multiple choice: one choice per line.",
    )
    scale_min = forms.IntegerField(
        label="Scale from", required=False, min_value=q.SCALE_BOUNDS[0], max_value=q.SCALE_BOUNDS[1]
    )
    scale_max = forms.IntegerField(
        label="Scale to", required=False, min_value=q.SCALE_BOUNDS[0], max_value=q.SCALE_BOUNDS[1]
    )
    min_label = forms.CharField(
        label="Label of the lowest point", max_length=q.MAX_CHOICE, required=False
    )
    max_label = forms.CharField(
        label="Label of the highest point", max_length=q.MAX_CHOICE, required=False
    )

    def __init__(self, *args, prefix_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["question"] = q.question_build(
                kind=data["kind"],
                label=data["label"],
                help_text=data.get("help_text", ""),
                required=data.get("required", False),
                choices=(data.get("choices") or "").splitlines(),
                scale_min=data.get("scale_min"),
                scale_max=data.get("scale_max"),
                min_label=data.get("min_label", ""),
                max_label=data.get("max_label", ""),
            )
        except q.QuestionError as error:
            raise forms.ValidationError(str(error)) from error
        return data

    @classmethod
    def initial_for(cls, question: dict) -> dict:
        return {
            "kind": question["kind"],
            "label": question["label"],
            "help_text": question.get("help", ""),
            "required": question.get("required", False),
            "choices": "\n".join(question.get("choices") or []),
            "scale_min": question.get("scale_min"),
            "scale_max": question.get("scale_max"),
            "min_label": question.get("min_label", ""),
            "max_label": question.get("max_label", ""),
        }

    def service_fields(self) -> dict:
        question = self.cleaned_data["question"]
        return {
            "kind": question["kind"],
            "label": question["label"],
            "help_text": question["help"],
            "required": question["required"],
            "choices": question["choices"],
            "scale_min": question["scale_min"],
            "scale_max": question["scale_max"],
            "min_label": question["min_label"],
            "max_label": question["max_label"],
        }
