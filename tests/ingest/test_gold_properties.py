"""Properties that hold for any text, checked over the held-out gold set's sentences.

The gold set (fixtures/ingest_gold/) is never used to assert a score here: only that whatever
the extractor proposes as a new company is a name, never a fragment of the sentence.
"""

import json
import re
from pathlib import Path

import pytest

from ingest.matching import CompanyIndex, find_unknown_organisations
from ingest.names import _kiwi
from ingest.text import split_sentences

GOLD = Path(__file__).resolve().parents[2] / "fixtures" / "ingest_gold"
CLAUSE_WORDS = re.compile(
    r"供应|签署|宣布|合作|洽谈|否认|终止|建设|投资|成立|双方|三方|将|的|与|向|"
    r"공급|체결|계약|협의|합작|투자|밝혔|예정|양사|"
    r"\b(?:supply|supplies|signed|agreed|denied|will|said|with|to|the|a|in|on)\b"
)


def _sentences():
    gold = json.loads((GOLD / "gold.json").read_text(encoding="utf-8"))
    index = CompanyIndex.from_dicts(gold["known_companies"])
    for article in gold["articles"]:
        text = (GOLD / article["file"]).read_text(encoding="utf-8")
        for sentence in split_sentences(text):
            yield pytest.param(sentence.text, index, id=f"{article['id']}@{sentence.start}")


@pytest.mark.parametrize(("sentence", "index"), list(_sentences()))
def test_no_proposal_is_a_sentence_fragment(sentence, index):
    """Each proposed name is words of the sentence that read as a name: no clause words, no
    punctuation, no particle at its end, capitalised English words, and short."""
    proposals = find_unknown_organisations(sentence, index.find(sentence), index)
    for mention in proposals:
        name = mention.text
        assert sentence[mention.start : mention.end] == name
        assert not CLAUSE_WORDS.search(name), name
        bare = re.sub(r"\b(?:Co|Ltd|Inc|Corp)\.$", "", name)  # a legal abbreviation's stop
        assert not re.search(r"[，。、；：！？,.;:!?()（）]$|^[，。、；：,.;:]", bare), name
        if re.search(r"[\uAC00-\uD7A3]", name):
            assert " " not in name and len(name) <= 15, name
            assert not _kiwi().tokenize(name)[-1].tag.startswith("J"), name
        elif re.search(r"[\u4E00-\u9FFF]", name):
            assert " " not in name and 3 <= len(name) <= 15, name
        else:
            words = name.split()
            assert 1 <= len(words) <= 6, name
            assert all(w[0].isupper() or w[0].isdigit() or w == "&" for w in words), name


def test_score_command_reports_every_field_per_language():
    """`score_extraction --gold` prints one row per field with a column per language; it
    reports whatever it measures (no score is asserted here)."""
    from io import StringIO

    from django.core.management import call_command

    from ingest.scoring import GOLD_FIELDS

    out = StringIO()
    call_command("score_extraction", "--gold", str(GOLD), stdout=out)
    lines = out.getvalue().splitlines()
    assert "| field | en | ko | zh | all |" in lines
    for field in GOLD_FIELDS:
        assert any(line.startswith(f"| {field} |") for line in lines), field
