"""Mark the quoted sentences in a source's text, for the source page.

Pure: the text and the quotes in, paragraphs of segments out. Each segment is plain text (the
template escapes it) with the numbers of the facts whose quote covers it, so overlapping quotes
and a sentence cited for several facts both come out right.
"""


def mark_quotes(text: str, quotes: list[tuple[int, str]]) -> list[list[dict]]:
    """Split `text` into paragraphs of {"text", "facts", "first"} segments.

    `quotes` pairs a fact number with its quoted sentence. A quote found nowhere in the text is
    left out here (the page lists it anyway); one found several times is marked at each place.
    `first` is set on the first segment of each fact, where its anchor goes.
    """
    coverage: list[set[int]] = [set() for _ in text]
    for number, quote in quotes:
        if not quote:
            continue
        start = text.find(quote)
        while start != -1:
            for i in range(start, start + len(quote)):
                coverage[i].add(number)
            start = text.find(quote, start + len(quote))

    paragraphs: list[list[dict]] = []
    anchored: set[int] = set()
    for block_start, block in _paragraphs(text):
        segments: list[dict] = []
        for offset, char in enumerate(block):
            facts = coverage[block_start + offset]
            if segments and segments[-1]["facts"] == facts:
                segments[-1]["text"] += char
            else:
                segments.append({"text": char, "facts": facts})
        for segment in segments:
            new = segment["facts"] - anchored
            segment["first"] = sorted(new)
            anchored |= new
            segment["facts"] = sorted(segment["facts"])
        if segments:
            paragraphs.append(segments)
    return paragraphs


def _paragraphs(text: str):
    """(offset, paragraph) for each non-blank line of the text."""
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            yield offset, line
        offset += len(line) + 1
