from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ingest import scoring
from partnerships.models import Source

DEFAULT_CASES = Path(settings.BASE_DIR, "fixtures", "ingest_eval")
DEFAULT_GOLD = Path(settings.BASE_DIR, "fixtures", "ingest_gold")
SETS = {"gold": DEFAULT_GOLD, "dev": Path(settings.BASE_DIR, "fixtures", "ingest_dev")}


def _ratio(value):
    return "  –  " if value is None else f"{value:5.2f}"


class Command(BaseCommand):
    help = (
        "Score the article extraction field by field (precision and recall) against curated "
        "facts: the deals and companies cited to sources in the database, and the JSON test "
        "cases in fixtures/ingest_eval/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            action="append",
            default=[],
            help="Slug of a source whose cited facts are the truth (repeatable). Default: every "
            "article with cited deals.",
        )
        parser.add_argument("--cases", default=str(DEFAULT_CASES), help="Folder of JSON cases.")
        parser.add_argument("--no-cases", action="store_true", help="Score database sources only.")
        parser.add_argument(
            "--gold",
            nargs="?",
            const=str(DEFAULT_GOLD),
            default=None,
            help="Score only the held-out gold set (default folder fixtures/ingest_gold/), per "
            "field and per language.",
        )
        parser.add_argument(
            "--set",
            choices=sorted(SETS),
            help="Score an annotated set per field and language: 'dev' (fixtures/ingest_dev/, "
            "what the rules are tuned on) or 'gold' (held out: score it, never tune on it).",
        )

    def handle(self, *args, **options):
        if options["set"] and options["gold"]:
            raise CommandError("Give --set or --gold, not both.")
        if options["set"]:
            return self._gold(SETS[options["set"]])
        if options["gold"]:
            return self._gold(Path(options["gold"]))
        results = []
        if options["source"]:
            sources = list(Source.objects.filter(slug__in=options["source"]))
            missing = set(options["source"]) - {s.slug for s in sources}
            if missing:
                raise CommandError(f"No source with slug: {', '.join(sorted(missing))}")
        else:
            sources = list(
                Source.objects.filter(kind=Source.Kind.ARTICLE)
                .exclude(text="")
                .filter(citations__deal__isnull=False)
                .distinct()
            )
        for source in sources:
            results.append((f"source {source.slug}", scoring.score_source(source)))
        if not options["no_cases"]:
            cases = Path(options["cases"])
            if not cases.is_dir():
                raise CommandError(f"No folder {cases}")
            for name, case in scoring.load_cases(cases):
                results.append((f"case {name}", scoring.score_case(case)))
        if not results:
            raise CommandError("Nothing to score: no article with cited deals, and no cases.")
        for title, scores in results:
            self.stdout.write(self.style.MIGRATE_HEADING(title))
            self.stdout.write(
                f"  {'field':<14}{'precision':>10}{'recall':>8}  correct/expected/found"
            )
            for row in scores:
                self.stdout.write(
                    f"  {row.field:<14}{_ratio(row.precision):>10}{_ratio(row.recall):>8}"
                    f"  {row.correct}/{row.expected}/{row.found}"
                )

    def _gold(self, folder: Path):
        annotations = scoring.annotations_of(folder)
        if annotations is None:
            names = " or ".join(scoring.ANNOTATION_FILES)
            raise CommandError(f"No {names} in {folder}")
        per_language = scoring.score_gold(folder)
        self.stdout.write(self.style.MIGRATE_HEADING(f"annotated set {annotations}"))
        self.stdout.write("precision/recall (correct/expected/found) per field and language")
        languages = [lang for lang in ("en", "ko", "zh", "all") if lang in per_language]
        self.stdout.write(f"| field | {' | '.join(languages)} |")
        self.stdout.write(f"|---|{'---|' * len(languages)}")
        for position, field in enumerate(scoring.GOLD_FIELDS):
            cells = []
            for language in languages:
                row = per_language[language][position]
                cells.append(
                    f"{_ratio(row.precision).strip()}/{_ratio(row.recall).strip()} "
                    f"({row.correct}/{row.expected}/{row.found})"
                )
            self.stdout.write(f"| {field} | {' | '.join(cells)} |")
