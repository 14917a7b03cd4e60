"""A 5x7 bitmap font for chart labels: digits, capitals and a little punctuation.

Each glyph is five column bytes; bit 0 is the top row. Unknown characters draw as blanks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType

GLYPH_WIDTH = 5
GLYPH_HEIGHT = 7

_GLYPHS: Mapping[str, bytes] = MappingProxyType(
    {
        " ": bytes.fromhex("0000000000"),
        "-": bytes.fromhex("0808080808"),
        "/": bytes.fromhex("2010080402"),
        ":": bytes.fromhex("0036360000"),
        ".": bytes.fromhex("0060600000"),
        "0": bytes.fromhex("3e5149453e"),
        "1": bytes.fromhex("00427f4000"),
        "2": bytes.fromhex("4261514946"),
        "3": bytes.fromhex("2141494d33"),
        "4": bytes.fromhex("1814127f10"),
        "5": bytes.fromhex("2745454539"),
        "6": bytes.fromhex("3c4a494931"),
        "7": bytes.fromhex("4121110907"),
        "8": bytes.fromhex("3649494936"),
        "9": bytes.fromhex("464949291e"),
        "A": bytes.fromhex("7c1211127c"),
        "B": bytes.fromhex("7f49494936"),
        "C": bytes.fromhex("3e41414122"),
        "D": bytes.fromhex("7f4141413e"),
        "E": bytes.fromhex("7f49494941"),
        "F": bytes.fromhex("7f09090901"),
        "G": bytes.fromhex("3e41415173"),
        "H": bytes.fromhex("7f0808087f"),
        "I": bytes.fromhex("00417f4100"),
        "J": bytes.fromhex("2040413f01"),
        "K": bytes.fromhex("7f08142241"),
        "L": bytes.fromhex("7f40404040"),
        "M": bytes.fromhex("7f021c027f"),
        "N": bytes.fromhex("7f0408107f"),
        "O": bytes.fromhex("3e4141413e"),
        "P": bytes.fromhex("7f09090906"),
        "Q": bytes.fromhex("3e4151215e"),
        "R": bytes.fromhex("7f09192946"),
        "S": bytes.fromhex("2649494932"),
        "T": bytes.fromhex("03017f0103"),
        "U": bytes.fromhex("3f4040403f"),
        "V": bytes.fromhex("1f2040201f"),
        "W": bytes.fromhex("3f4038403f"),
        "X": bytes.fromhex("6314081463"),
        "Y": bytes.fromhex("0708700807"),
        "Z": bytes.fromhex("6151494543"),
    }
)


def glyph_pixels(char: str) -> Iterator[tuple[int, int]]:
    """(column, row) of every lit pixel of one character, upper-cased."""
    columns = _GLYPHS.get(char.upper(), _GLYPHS[" "])
    for column, bits in enumerate(columns):
        for row in range(GLYPH_HEIGHT):
            if bits >> row & 1:
                yield column, row


def text_width(text: str, scale: int = 1) -> int:
    """Pixels a line of text takes: each glyph plus one column of spacing."""
    return len(text) * (GLYPH_WIDTH + 1) * scale
