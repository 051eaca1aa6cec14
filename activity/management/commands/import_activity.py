"""Import activity records from a CSV file or a JSON-lines file, like API batches of 1,000."""

import csv
import json
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from activity.ingestion import IngestReport, Rejection, ingest_records

CHUNK = 1_000


class Unreadable(str):
    """A line that is not a record, with the reason."""


def read_records(path: Path) -> Iterator[tuple[int, object]]:
    """(line number, record) for each CSV row (after a header naming the fields, with a "type"
    column) or each JSON line; a line that cannot be read comes as Unreadable."""
    with path.open(newline="", encoding="utf-8") as handle:
        if path.suffix.lower() == ".csv":
            rows = csv.DictReader(handle)
            for row in rows:
                # The reader's line number is where the row ends (a quoted field may span lines).
                yield rows.line_num, {k: v for k, v in row.items() if k and v not in ("", None)}
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except ValueError as exc:
                yield number, Unreadable(f"is not valid JSON ({exc})")


class Command(BaseCommand):
    help = "Import activity records (videos, video days, creator days, live sessions)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv file or a JSON-lines file (.jsonl)")

    def handle(self, *args: object, file: Path, **options: object) -> None:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        total, problems = IngestReport(), []
        lines = read_records(file)
        with tqdm(unit=" records", disable=not sys.stdout.isatty(), file=sys.stdout) as bar:
            while chunk := list(islice(lines, CHUNK)):
                readable = [(n, r) for n, r in chunk if not isinstance(r, Unreadable)]
                problems += [(n, "line", r) for n, r in chunk if isinstance(r, Unreadable)]
                report = ingest_records([record for _, record in readable])
                total.accepted += report.accepted
                total.updated += report.updated
                total.unchanged += report.unchanged
                for rejection in report.rejected:
                    problems.append(
                        (readable[rejection.index][0], rejection.field, rejection.reason)
                    )
                    total.rejected.append(rejection)
                total.rejected += [
                    Rejection(n, None, "line", r) for n, r in chunk if isinstance(r, Unreadable)
                ]
                bar.update(len(chunk))
        for line, field, reason in sorted(problems):
            self.stderr.write(f"line {line}: {field} {reason}")
        self.stdout.write(total.summary)
        if total.rejected:
            raise CommandError(
                f"{len(total.rejected)} record(s) rejected; the others were imported."
            )
