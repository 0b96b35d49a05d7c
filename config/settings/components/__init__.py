"""Settings per concern. `base.py` star-imports them in order; each reads its own env."""
