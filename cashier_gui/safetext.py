"""Text from outside (servers, files) made safe to print and store. Interim: replaced on merge."""

from __future__ import annotations

import unicodedata


def printable(text: object, limit: int = 300) -> str:
    out = []
    for ch in str(text):
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        else:
            out.append(ch)
    cleaned = " ".join("".join(out).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
