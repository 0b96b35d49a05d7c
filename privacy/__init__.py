"""Privacy: the append-only audit log and the erasure machinery (DESIGN.md §1)."""
