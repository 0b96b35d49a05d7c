"""Session notes: a practitioner's notes per booking (free-form or SOAP), encrypted at
field level, private to their author, signed (locked) with a hash of their content, then
only addenda; shared with the client explicitly (docs/decisions/0031)."""
