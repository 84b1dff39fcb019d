"""The development set (fixtures/ingest_dev/): what the rules are tuned on, scored per language.

Unlike the held-out gold set, the development set may hold the extractor to a floor: the issue's
goal (party pairs, status and numbers with units at 0.8 or better in each language) is asserted
here, so a rule change that loses it fails a test.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ingest.scoring import GOLD_FIELDS, annotations_of

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "ingest_dev"


def test_dev_set_is_annotated_like_the_gold_set():
    """The development set has its own annotation file and the three languages."""
    import json

    annotations = annotations_of(DEV)
    assert annotations is not None and annotations.name == "dev.json"
    articles = json.loads(annotations.read_text(encoding="utf-8"))["articles"]
    languages = [article["language"] for article in articles]
    assert languages.count("ko") >= 6 and languages.count("zh") >= 6 and "en" in languages
    for article in articles:
        assert (DEV / article["file"]).is_file(), article["file"]


def test_score_command_scores_the_dev_set_per_language():
    """`score_extraction --set dev` prints one row per field with a column per language."""
    out = StringIO()
    call_command("score_extraction", "--set", "dev", stdout=out)
    lines = out.getvalue().splitlines()
    assert "| field | en | ko | zh | all |" in lines
    assert "dev.json" in lines[0]
    for field in GOLD_FIELDS:
        assert any(line.startswith(f"| {field} |") for line in lines), field


def test_score_command_refuses_two_sets():
    """--set and --gold name different sets: giving both is an error, not a silent choice."""
    with pytest.raises(CommandError, match="not both"):
        call_command("score_extraction", "--set", "dev", "--gold", stdout=StringIO())


def test_folder_without_annotations_is_refused(tmp_path):
    """A folder with neither gold.json nor dev.json is refused with a clear error."""
    with pytest.raises(CommandError, match="gold.json or dev.json"):
        call_command("score_extraction", "--gold", str(tmp_path), stdout=StringIO())
