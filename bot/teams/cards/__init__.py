"""Adaptive Card 1.5 renderers: neutral message models in, card dicts out. Pure functions."""
