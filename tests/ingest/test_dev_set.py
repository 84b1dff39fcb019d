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


@pytest.fixture(scope="module")
def dev_scores():
    from ingest.scoring import score_gold

    return score_gold(DEV)


@pytest.mark.parametrize("language", ["en", "ko", "zh"])
@pytest.mark.parametrize("field", ["pairs", "status", "numbers"])
def test_dev_set_meets_the_goal(dev_scores, language, field):
    """On the development set, pairs, status and numbers with units are at 0.8 or better in
    precision and recall in each language (the issue's goal, held on what the rules are tuned
    on; the gold set is only ever scored, never asserted)."""
    row = next(r for r in dev_scores[language] if r.field == field)
    assert row.precision >= 0.8 and row.recall >= 0.8, row


def test_status_is_the_newest_step_and_steps_are_each_sentence(tmp_path):
    """A denial dated in the article, then an earlier report: "status" scores the step the
    deal ends with (the denial), "status_steps" every sentence's status (two found)."""
    import json

    from ingest.scoring import score_gold

    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text(
        "국내 배터리 업체 한울셀은 중국 완성차 업체 안후이쥔마자동차와 합작공장을 세운다는 "
        "보도를 10일 부인했다. 앞서 중국 매체는 양사가 합작공장을 짓는다고 보도했다.",
        encoding="utf-8",
    )
    article = {
        "id": "a",
        "file": "articles/a.txt",
        "language": "ko",
        "published_on": "2026-06-18",
        "known": [],
        "new": [
            {"key": "hanul", "country": "KR", "names": ["한울셀"]},
            {"key": "junma", "country": "CN", "names": ["안후이쥔마자동차"]},
        ],
        "deals": [
            {
                "parties": {"hanul": "partner", "junma": "partner"},
                "kind": "joint_venture",
                "status": "not_finalized",
                "status_on": "2026-06-10/day",
            }
        ],
    }
    (tmp_path / "dev.json").write_text(
        json.dumps({"known_companies": [], "articles": [article]}), encoding="utf-8"
    )
    rows = {row.field: row for row in score_gold(tmp_path)["ko"]}
    assert (rows["status"].correct, rows["status"].found) == (1, 1)
    assert (rows["status_steps"].correct, rows["status_steps"].found) == (1, 2)
    assert (rows["dates"].correct, rows["dates"].found) == (1, 1)
