"""AUTH token policy and generator. Pure: the only outside input is a source of randomness.

A token uses only the characters ElastiCache accepts when a group is created (letters,
digits and `! & # $ ^ < > -`), so it is valid for create and modify alike. On top of the
format AWS enforces, the runbook asks for at least three character classes, no dictionary
word (also not a lightly disguised one) and no similarity to recent tokens.

Problems are described in words that never quote the token or any part of it.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

MIN_LENGTH = 16
MAX_LENGTH = 128
CREATE_TIME_SPECIALS = "!&#$^<>-"
CHARACTER_CLASSES: tuple[str, ...] = (
    string.ascii_uppercase,
    string.ascii_lowercase,
    string.digits,
    CREATE_TIME_SPECIALS,
)
ALPHABET = "".join(CHARACTER_CLASSES)
MAX_ATTEMPTS = 1000

# Look-alike substitutions people use to disguise a word ("p4ssw0rd"); letters map to themselves.
_DISGUISES = str.maketrans(
    {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "$": "s", "!": "i"}
)

# Common English words and the words people put into passwords, four letters or longer.
_WORD_TEXT = """
    able about above access account admin after again against agent alpha also always
    amazon angel apple april area army august auth autumn away baby back bank base
    baseball basket batman beach bear best better black blue board body book boss both
    brown build business cache call came card care case cash castle cats change charlie
    check chicken city class clear close cloud club code cold come company computer cookie
    cool could country cover dark data date david days dear default delta demo design
    dev devops diamond does done door down dragon dream drive each early east easy
    echo else enter even ever every face fact family fast father file find fire first
    fish five flower follow food football force form four free friday friend from full
    game garden gold golf good great green group guest hack hand happy hard have heart
    hello help here high hockey home hope horse hour house hunter iloveyou info into
    jack james january jesus jordan july june just keep kind king know lady land last
    late leave left less letmein life light like line link list little live london long
    look love lucky made magic main make many march master matrix maybe mercedes michael
    might mind miss money monday monkey month more morning most mother move much music
    must name nature need never news next nice night ninja none north nothing november
    number october office often once only open orange order other over owner page pass
    passw password people pepper phone pink place plan play please point police power
    princess prod production public purple queen question quick rain rainbow ready real
    redis report rest right river road rock rose round rule runner sale same saturday
    school secret secure security september service session shadow shop show side sign
    silver simple since sister slack small snow soccer some soon south space special
    spring staff star start state still stop storm story street strong student summer
    sunday sunshine super superman system table take talk team tell test than thank that
    their them then there these they thing think this thomas those three thunder thursday
    tiger time today together token tomorrow town tree trust tuesday turn under until upon
    user valkey very view wait walk wall want warm water week welcome well were west what
    when where which while white will wind window winter with without woman word work
    world would write yankees year yellow young your zero
    """
COMMON_WORDS: frozenset[str] = frozenset(word for word in _WORD_TEXT.split() if len(word) >= 4)


@dataclass(frozen=True)
class TokenPolicy:
    """How long a token is and what makes it acceptable; `length` comes from the policy file."""

    length: int = 64
    min_classes: int = 3
    shared_run: int = 8  # two tokens sharing this many characters in a row are similar
    min_distance: float = 0.5  # normalised edit distance below this is similar

    def __post_init__(self) -> None:
        if not MIN_LENGTH <= self.length <= MAX_LENGTH:
            raise ValueError(f"token length must be {MIN_LENGTH} to {MAX_LENGTH}")
        if not 1 <= self.min_classes <= len(CHARACTER_CLASSES):
            raise ValueError("min_classes must be 1 to 4")


def character_classes(token: str) -> int:
    """How many of upper case, lower case, digits and specials the token uses."""
    return sum(1 for chars in CHARACTER_CLASSES if any(ch in chars for ch in token))


def _undisguised(text: str) -> str:
    return text.lower().translate(_DISGUISES)


def contains_dictionary_word(token: str, words: Iterable[str] = COMMON_WORDS) -> bool:
    """True when a common word appears, in any case or with look-alike digits and symbols."""
    plain, undisguised = token.lower(), _undisguised(token)
    return any(word in plain or word in undisguised for word in words)


def shares_run(first: str, second: str, run: int) -> bool:
    """Whether both strings contain the same `run` characters in a row (case-insensitive)."""
    a, b = first.lower(), second.lower()
    pieces = {a[i : i + run] for i in range(len(a) - run + 1)}
    return any(b[i : i + run] in pieces for i in range(len(b) - run + 1))


def edit_distance(first: str, second: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), bit-parallel.

    Myers' algorithm in Hyyro's form: one integer holds a whole DP column, so a
    128-character pair costs 128 steps instead of 16,384 cells.
    """
    if not first or not second:
        return len(first) + len(second)
    full = (1 << len(first)) - 1
    last = 1 << (len(first) - 1)
    masks: dict[str, int] = {}
    for index, ch in enumerate(first):
        masks[ch] = masks.get(ch, 0) | (1 << index)
    plus, minus, score = full, 0, len(first)
    for ch in second:
        equal = masks.get(ch, 0)
        vertical = equal | minus
        horizontal = (((equal & plus) + plus) ^ plus) | equal
        up = minus | (~(horizontal | plus) & full)
        down = plus & horizontal
        score += 1 if up & last else -1 if down & last else 0
        up = ((up << 1) | 1) & full
        down = (down << 1) & full
        plus = down | (~(vertical | up) & full)
        minus = up & vertical
    return score


def normalised_distance(first: str, second: str) -> float:
    """Edit distance divided by the longer length: 0 for equal strings, 1 for nothing alike."""
    longest = max(len(first), len(second))
    return 1.0 if longest == 0 else edit_distance(first, second) / longest


def is_similar(token: str, other: str, policy: TokenPolicy) -> bool:
    if token == other or shares_run(token, other, policy.shared_run):
        return True
    return normalised_distance(token.lower(), other.lower()) < policy.min_distance


def token_problems(
    token: str, policy: TokenPolicy, previous: Sequence[str] = ()
) -> tuple[str, ...]:
    """Every rule the token breaks, in words; empty when it is acceptable."""
    problems: list[str] = []
    if not MIN_LENGTH <= len(token) <= MAX_LENGTH:
        problems.append(f"it must be {MIN_LENGTH} to {MAX_LENGTH} characters long")
    if any(ch not in ALPHABET for ch in token):
        problems.append("it may use only letters, digits and ! & # $ ^ < > -")
    if character_classes(token) < policy.min_classes:
        problems.append(f"it must mix at least {policy.min_classes} kinds of character")
    if contains_dictionary_word(token):
        problems.append("it contains a dictionary word")
    if any(is_similar(token, old, policy) for old in previous):
        problems.append("it is too similar to a recent token")
    return tuple(problems)


RandBelow = Callable[[int], int]


def _draw(length: int, randbelow: RandBelow) -> str:
    return "".join(ALPHABET[randbelow(len(ALPHABET))] for _ in range(length))


def generate_token(
    policy: TokenPolicy,
    previous: Sequence[str] = (),
    *,
    randbelow: RandBelow = secrets.randbelow,
) -> str:
    """A uniformly drawn token that passes every rule (drawing again until one does)."""
    for _ in range(MAX_ATTEMPTS):
        candidate = _draw(policy.length, randbelow)
        if not token_problems(candidate, policy, previous):
            return candidate
    raise RuntimeError("no acceptable token after many draws; check the randomness source")
