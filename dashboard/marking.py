"""Mark the quoted sentences in a source's text, for the source page.

Pure: the text and the quotes in, paragraphs of segments out. Each segment is plain text (the
template escapes it) with the numbers of the facts whose quote covers it, so overlapping quotes
and a sentence cited for several facts both come out right.

The text is cut only where a quote starts or ends or a line breaks, so the work grows with the
number of places quoted, not with the characters: a 1 MB source is marked in milliseconds.
"""

from collections import Counter


def mark_quotes(text: str, quotes: list[tuple[int, str]]) -> list[list[dict]]:
    """Split `text` into paragraphs of {"text", "facts", "first"} segments.

    `quotes` pairs a fact number with its quoted sentence. A quote found nowhere in the text is
    left out here (the page lists it anyway); one found several times is marked at each place.
    `first` is set on the first segment of each fact, where its anchor goes.
    """
    # Where each fact's coverage begins (+1) and ends (-1), per position.
    changes: dict[int, list[tuple[int, int]]] = {}
    for number, quote in quotes:
        if not quote:
            continue
        start = text.find(quote)
        while start != -1:
            end = start + len(quote)
            changes.setdefault(start, []).append((number, 1))
            changes.setdefault(end, []).append((number, -1))
            start = text.find(quote, end)
    cuts = sorted(changes)

    paragraphs: list[list[dict]] = []
    anchored: set[int] = set()
    active: Counter = Counter()
    cut_index = 0
    for block_start, block in _paragraphs(text):
        block_end = block_start + len(block)
        # Inner cuts of this paragraph, with its own ends.
        while cut_index < len(cuts) and cuts[cut_index] <= block_start:
            _apply(active, changes[cuts[cut_index]])
            cut_index += 1
        segments: list[dict] = []
        position = block_start
        while position < block_end:
            following = cuts[cut_index] if cut_index < len(cuts) else block_end
            end = min(following, block_end)
            facts = frozenset(number for number, count in active.items() if count > 0)
            if segments and segments[-1]["facts"] == facts:
                segments[-1]["text"] += text[position:end]
            else:
                segments.append({"text": text[position:end], "facts": facts})
            position = end
            if end == following and cut_index < len(cuts):
                _apply(active, changes[cuts[cut_index]])
                cut_index += 1
        for segment in segments:
            new = segment["facts"] - anchored
            segment["first"] = sorted(new)
            anchored |= new
            segment["facts"] = sorted(segment["facts"])
        if segments:
            paragraphs.append(segments)
    return paragraphs


def _apply(active: Counter, changes: list[tuple[int, int]]):
    for number, delta in changes:
        active[number] += delta


def _paragraphs(text: str):
    """(offset, paragraph) for each non-blank line of the text."""
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            yield offset, line
        offset += len(line) + 1
