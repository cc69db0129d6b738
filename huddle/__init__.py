"""huddle: governance huddles for NHS community services."""
