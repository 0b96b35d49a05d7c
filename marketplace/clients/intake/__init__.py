"""Intake questionnaires: practitioners build versioned forms (or link a Typeform form) and
attach one to each service; after a confirmed booking the client answers it in their care
record, editable until the session starts; a reminder goes out 24 h before if it is not
done (docs/decisions/0030-intake-forms-and-typeform.md)."""
