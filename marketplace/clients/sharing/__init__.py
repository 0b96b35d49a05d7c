"""Sharing grants: a client lets another practitioner read chosen items of their record
(notes shared with the client, documents they can see), until an end date and until
revoked; the grantee's access goes through records.access as role "grantee"
(docs/decisions/0031)."""
