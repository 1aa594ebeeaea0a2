"""Performance harness: `python -m bench [--quick] [--scale s|m|l ...]` (see README, "Performance")."""
