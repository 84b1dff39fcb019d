"""Sentences with their offsets, so every candidate fact can quote the exact words it came from."""

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (or the CJK full stops) followed by space and a capital, a digit, a
# quote or CJK text — not after "U.S." or "Co." in the middle of a name.
_BOUNDARY = re.compile(
    r"(?<=[.!?])(?<!\bU\.S\.)(?<!\bCo\.)(?<!\bInc\.)(?<!\bLtd\.)(?<!\bNo\.)(?<!\bvs\.)"
    r"\s+(?=[\"'“‘(A-Z0-9\u3131-\uD7A3\u4E00-\u9FFF])"
    r"|(?<=[。！？])\s*"
    r"|\n+"
)


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset of the sentence in the whole text

    @property
    def end(self):
        return self.start + len(self.text)


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text`, each stripped, with its offset; `text[s.start:s.end] == s.text`."""
    sentences, position = [], 0
    for match in _BOUNDARY.finditer(text):
        _append(sentences, text, position, match.start())
        position = match.end()
    _append(sentences, text, position, len(text))
    return sentences


def _append(sentences, text, start, end):
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        sentences.append(Sentence(stripped, start + chunk.index(stripped)))
