"""Import activity records from a CSV file or a JSON-lines file, like one API batch per chunk."""

import csv
import json
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from activity.ingestion import IngestReport, ingest_records

CHUNK = 1_000


def read_records(path: Path) -> Iterator[object]:
    """CSV rows (a header row naming the fields, with a "type" column) or one JSON object a line."""
    with path.open(newline="", encoding="utf-8") as handle:
        if path.suffix.lower() == ".csv":
            for row in csv.DictReader(handle):
                yield {k: v for k, v in row.items() if k and v not in ("", None)}
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError as exc:
                yield f"line {number} is not valid JSON: {exc}"  # rejected as "not a JSON object"


class Command(BaseCommand):
    help = "Import activity records (videos, video days, creator days, live sessions)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv file or a JSON-lines file (.jsonl)")

    def handle(self, *args: object, file: Path, **options: object) -> None:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        total = IngestReport()
        records = read_records(file)
        with tqdm(unit=" records", disable=not sys.stdout.isatty(), file=sys.stdout) as bar:
            offset = 0
            while chunk := list(islice(records, CHUNK)):
                report = ingest_records(chunk)
                total.accepted += report.accepted
                total.updated += report.updated
                total.unchanged += report.unchanged
                for rejection in report.rejected:
                    rejection.index += offset
                    total.rejected.append(rejection)
                offset += len(chunk)
                bar.update(len(chunk))
        for rejection in total.rejected:
            # Report by line: the header is line 1 of a CSV, records start on line 2.
            line = rejection.index + (2 if file.suffix.lower() == ".csv" else 1)
            self.stderr.write(f"line {line}: {rejection.field} {rejection.reason}")
        self.stdout.write(total.summary)
        if total.rejected:
            raise CommandError(
                f"{len(total.rejected)} record(s) rejected; the others were imported."
            )
