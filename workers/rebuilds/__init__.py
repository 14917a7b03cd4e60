"""Rebuilds: approved, resumable migrations to a fixed copy of a cache."""
