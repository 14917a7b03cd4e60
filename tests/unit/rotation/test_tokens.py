"""The token generator against every rule of the policy, over thousands of tokens."""

from __future__ import annotations

import random
import string
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from posture.tokens import (
    ALPHABET,
    COMMON_WORDS,
    CREATE_TIME_SPECIALS,
    MAX_LENGTH,
    MIN_LENGTH,
    TokenPolicy,
    character_classes,
    contains_dictionary_word,
    edit_distance,
    generate_token,
    is_similar,
    normalised_distance,
    shares_run,
    token_problems,
)

MODIFY_FORBIDDEN = set('/"@%')


def _assert_meets_policy(token: str, policy: TokenPolicy, previous: list[str]) -> None:
    assert len(token) == policy.length
    assert MIN_LENGTH <= len(token) <= MAX_LENGTH
    assert set(token) <= set(string.ascii_letters + string.digits + CREATE_TIME_SPECIALS)
    assert not set(token) & MODIFY_FORBIDDEN
    assert character_classes(token) >= 3
    lowered = token.lower()
    assert not any(word in lowered for word in COMMON_WORDS)
    for old in previous:
        assert not shares_run(token, old, policy.shared_run)
        assert normalised_distance(token.lower(), old.lower()) >= policy.min_distance


def test_thousands_of_tokens_meet_every_rule() -> None:
    policy = TokenPolicy()
    recent: list[str] = []
    seen: set[str] = set()
    for _ in range(2000):
        token = generate_token(policy, recent[-2:])
        _assert_meets_policy(token, policy, recent[-2:])
        seen.add(token)
        recent.append(token)
    assert len(seen) == 2000, "a repeated token means the randomness is broken"


def test_every_allowed_character_turns_up() -> None:
    counts = Counter("".join(generate_token(TokenPolicy(length=128)) for _ in range(300)))
    assert set(counts) == set(ALPHABET)
    # 38,400 draws over 70 characters: about 550 each; a skewed source would show here.
    assert min(counts.values()) > 350 and max(counts.values()) < 800


@settings(max_examples=400, deadline=None)
@given(
    length=st.integers(min_value=MIN_LENGTH, max_value=MAX_LENGTH),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_any_length_from_the_policy_gives_a_valid_token(length: int, seed: int) -> None:
    rng = random.Random(seed)
    policy = TokenPolicy(length=length)
    previous = [generate_token(policy, randbelow=rng.randrange)]
    token = generate_token(policy, previous, randbelow=rng.randrange)
    _assert_meets_policy(token, policy, previous)
    assert token_problems(token, policy, previous) == ()


@settings(max_examples=300, deadline=None)
@given(
    word=st.sampled_from(sorted(COMMON_WORDS)),
    position=st.integers(min_value=0, max_value=40),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_a_planted_word_is_always_found(word: str, position: int, seed: int) -> None:
    rng = random.Random(seed)
    policy = TokenPolicy(length=48)
    token = generate_token(policy, randbelow=rng.randrange)
    planted = token[:position] + word.upper() + token[position + len(word) :]
    assert contains_dictionary_word(planted)
    problems = token_problems(planted[:MAX_LENGTH], policy)
    assert "it contains a dictionary word" in problems
    assert not any(planted in problem for problem in problems)


@pytest.mark.parametrize("disguised", ["P4ssw0rd", "s3cr3t", "m0nk3y", "$ummer", "Dr4g0n"])
def test_lightly_disguised_words_count_as_words(disguised: str) -> None:
    assert contains_dictionary_word("Xq7#" + disguised + "#Zk9")


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), start=st.integers(min_value=0, max_value=50))
def test_a_token_sharing_a_long_run_with_a_recent_one_is_similar(seed: int, start: int) -> None:
    rng = random.Random(seed)
    policy = TokenPolicy()
    old = generate_token(policy, randbelow=rng.randrange)
    fresh = generate_token(policy, [old], randbelow=rng.randrange)
    copied = fresh[:start] + old[start : start + 8] + fresh[start + 8 :]
    assert is_similar(copied, old, policy)
    assert "it is too similar to a recent token" in token_problems(copied, policy, [old])


def test_a_token_one_edit_away_is_similar_even_without_a_long_run() -> None:
    policy = TokenPolicy(length=16, shared_run=64)
    old = "Ab1-Cd2#Ef3$Gh4^"
    assert is_similar(old[:-1] + "x", old, policy)
    assert not is_similar("Zz9<Yy8>Xx7!Ww6&", old, policy)


def test_too_few_classes_and_bad_characters_are_reported() -> None:
    policy = TokenPolicy(length=16)
    assert "it must mix at least 3 kinds of character" in token_problems("qqqqzzzzxxxxvvvv", policy)
    assert "it may use only letters, digits and ! & # $ ^ < > -" in token_problems(
        "Qz9/Qz9/Qz9/Qz9/", policy
    )
    assert token_problems("short", policy)[0] == "it must be 16 to 128 characters long"


def test_a_random_source_that_never_varies_is_refused() -> None:
    with pytest.raises(RuntimeError, match="no acceptable token"):
        generate_token(TokenPolicy(length=16), randbelow=lambda _n: 0)


@pytest.mark.parametrize("length", [MIN_LENGTH - 1, MAX_LENGTH + 1])
def test_policy_lengths_outside_what_aws_accepts_are_refused(length: int) -> None:
    with pytest.raises(ValueError, match="16 to 128"):
        TokenPolicy(length=length)


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [("kitten", "sitting", 3), ("", "abc", 3), ("same", "same", 0), ("flaw", "lawn", 2)],
)
def test_edit_distance_known_values(first: str, second: str, distance: int) -> None:
    assert edit_distance(first, second) == distance
    assert edit_distance(second, first) == distance


def _reference_distance(first: str, second: str) -> int:
    previous = list(range(len(second) + 1))
    for i, ch_a in enumerate(first, start=1):
        current = [i]
        for j, ch_b in enumerate(second, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ch_a != ch_b))
            )
        previous = current
    return previous[-1]


@settings(max_examples=500, deadline=None)
@given(first=st.text("abcAB-", max_size=40), second=st.text("abcdB-", max_size=40))
def test_bit_parallel_distance_matches_the_textbook_table(first: str, second: str) -> None:
    assert edit_distance(first, second) == _reference_distance(first, second)


def test_shared_runs_ignore_case() -> None:
    assert shares_run("xxABCDEFyy", "zzabcdefzz", 6)
    assert not shares_run("xxABCDEFyy", "zzabcdefzz", 7)
    assert not shares_run("abc", "xyz", 1)
