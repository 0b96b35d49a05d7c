"""The care record: one per client and practitioner, opened by their first confirmed
booking. Intake, consent, notes, documents, sharing and messaging hang off it (their own
apps under marketplace/clients/), and every read or change of it is audited in privacy's
one hash-chained log (docs/decisions/0029-care-records-and-audit.md)."""
