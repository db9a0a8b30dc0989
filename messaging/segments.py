"""How many SMS segments a text takes: GSM-7 when every character is in GSM 03.38, UCS-2 otherwise.

One segment holds 160 GSM-7 units or 70 UCS-2 units; a longer text is split into parts of 153 or 67 (each part
carries a concatenation header). Extension characters (€, [, ] …) take two GSM-7 units; characters outside the
Basic Multilingual Plane (emoji) take two UCS-2 units.
"""

import math
from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM7, UCS2 = "GSM-7", "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
PART = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class SegmentCount:
    encoding: str
    units: int
    segments: int

    @property
    def single_limit(self) -> int:
        return SINGLE[self.encoding]


def sms_segments(text: str) -> SegmentCount:
    """The encoding a phone network will use for `text`, its length in that encoding's units, and its segments."""
    if all(character in GSM_BASIC or character in GSM_EXTENDED for character in text):
        encoding, units = GSM7, sum(2 if character in GSM_EXTENDED else 1 for character in text)
    else:
        encoding, units = UCS2, sum(2 if ord(character) > 0xFFFF else 1 for character in text)
    segments = 1 if units <= SINGLE[encoding] else math.ceil(units / PART[encoding])
    return SegmentCount(encoding=encoding, units=units, segments=segments)


# Typographic characters that would turn a whole SMS into UCS-2 (70 a segment), and the GSM-7 ones that read the
# same. Letters are never changed: a Portuguese ã stays, and the text is UCS-2 when it must be.
SMS_FOLD = str.maketrans(
    {
        "\u2018": "'",  # curly single quotes
        "\u2019": "'",
        "\u201c": '"',  # curly double quotes
        "\u201d": '"',
        "\u2013": "-",  # en and em dashes
        "\u2014": "-",
        "\u2026": "...",  # an ellipsis
        "\u2022": "*",  # the dots of a masked number
        "\u00a0": " ",  # a no-break space
    }
)


def sms_fold(text: str) -> str:
    """`text` with its typographic look-alikes in GSM-7, so punctuation alone never costs a segment."""
    return text.translate(SMS_FOLD)
