"""Consent: versioned consent documents staff edit in Wagtail, the client's typed-name
signatures and withdrawals (never deleted), and the rule the booking flow asks before a
booking (docs/decisions/0031-consent-notes-and-sharing.md)."""
