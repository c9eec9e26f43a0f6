"""Invisible control characters: which ones cmpub refuses in the text it reads, and how it names them.

C0 and C1 controls (and DEL) do not show in an editor, yet an ESC drives the terminal that
prints a title and most of them make ``feed.xml`` not well-formed XML. Tab and line feed are
ordinary text. :func:`xml_text` is the last line of defence for the feeds: whatever reached
them, it drops what XML 1.0 cannot carry.
"""

from __future__ import annotations

import re

#: C0 and C1 control characters and DEL, except tab and line feed (CR is read as a line end).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed"}
_NAMES |= {0x0D: "carriage return", 0x1B: "ESC", 0x7F: "DEL", 0x85: "next line"}

#: What XML 1.0 cannot carry at all (§2.2 Char), plus the C1 controls it discourages.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def control_name(ch: str) -> str:
    """How a control character is named in a message: 'U+001B (ESC)'."""
    name = _NAMES.get(ord(ch))
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def xml_text(text: str) -> str:
    """``text`` without the characters that would make an XML document not well-formed."""
    return _NOT_XML.sub("", text)
