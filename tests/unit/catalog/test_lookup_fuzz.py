"""The id lookup raises only its documented error, whatever it is given."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from posture.catalog import UnknownIdError, resolve


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=260))
def test_resolve_raises_only_unknown_id_error(query: str) -> None:
    try:
        found = resolve(query)
    except UnknownIdError as exc:
        assert isinstance(exc.suggestions, tuple)
    else:
        assert found.id
