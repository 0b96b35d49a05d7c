"""Money and time: memberships, credits, bookings, payments, partners (see DESIGN.md §1)."""
