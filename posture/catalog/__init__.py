"""The rule catalog: every rule, every control, and id/alias lookup."""
