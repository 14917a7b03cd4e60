"""The one error type that command parsing raises."""

from __future__ import annotations


class UsageError(ValueError):
    """The text could not be understood. `message` says why, `usage` shows what works."""

    def __init__(self, message: str, usage: str, suggestions: tuple[str, ...] = ()) -> None:
        self.message = message
        self.usage = usage
        # Whole argument texts the user may have meant (shown as buttons that run them).
        self.suggestions = suggestions
        super().__init__(f"{message}\n{usage}")
