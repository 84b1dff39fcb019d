"""Marking cited sentences in a source's text."""

from dashboard.marking import mark_quotes


def test_quote_is_marked_where_it_appears():
    """The cited sentence becomes its own segment carrying its fact number."""
    paragraphs = mark_quotes("One. Two is cited. Three.", [(1, "Two is cited.")])
    assert paragraphs == [
        [
            {"text": "One. ", "facts": [], "first": []},
            {"text": "Two is cited.", "facts": [1], "first": [1]},
            {"text": " Three.", "facts": [], "first": []},
        ]
    ]


def test_overlapping_quotes_split_into_segments_with_both_numbers():
    """Where two quotes overlap, the shared words carry both facts."""
    paragraphs = mark_quotes("abcdef", [(1, "abcd"), (2, "cdef")])
    assert [(s["text"], s["facts"]) for s in paragraphs[0]] == [
        ("ab", [1]),
        ("cd", [1, 2]),
        ("ef", [2]),
    ]


def test_paragraphs_follow_the_lines_of_the_text():
    """Each non-blank line is a paragraph; a quote missing from the text marks nothing."""
    paragraphs = mark_quotes("First line.\n\nSecond line.", [(1, "Not there.")])
    assert [[s["text"] for s in p] for p in paragraphs] == [["First line."], ["Second line."]]


def test_anchor_goes_on_the_first_place_a_quote_appears():
    """A sentence cited twice in the text gets its anchor once."""
    paragraphs = mark_quotes("Same. Other. Same.", [(1, "Same.")])
    firsts = [s["first"] for s in paragraphs[0] if s["facts"]]
    assert firsts == [[1], []]
