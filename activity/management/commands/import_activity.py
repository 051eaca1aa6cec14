"""Import activity records from a CSV file or a JSON-lines file, like API batches of 5,000.

The file is read as a stream, a batch at a time, and only counts are kept, so memory stays flat
whatever the file's size. Each batch is one transaction: if the database fails, the batches
before it are in and the command says from which line to start again (re-sending records
changes nothing, so running the whole file again is fine too).
"""

import csv
import json
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, reset_queries
from tqdm import tqdm

from activity.ingestion import ingest_records

CHUNK = 5_000


class Unreadable(str):
    """A line that is not a record, with the reason."""


def read_records(path: Path) -> Iterator[tuple[int, object]]:
    """(line number, record) for each CSV row (after a header naming the fields, with a "type"
    column) or each JSON line; a line that cannot be read comes as Unreadable."""
    # Bytes that are not UTF-8 come through as lone surrogates, which ingestion rejects per
    # record (naming the field) instead of the whole file stopping at the first.
    with path.open(newline="", encoding="utf-8", errors="surrogateescape") as handle:
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
            except (ValueError, RecursionError) as exc:
                yield number, Unreadable(f"is not valid JSON ({exc})")


class Command(BaseCommand):
    help = (
        "Import activity records (videos, video days, creator days, live sessions, audience days)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv file or a JSON-lines file (.jsonl)")

    def handle(self, *args: object, file: Path, **options: object) -> None:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        counts = {"accepted": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        lines = read_records(file)
        with tqdm(unit=" records", disable=not sys.stdout.isatty(), file=sys.stdout) as bar:
            while chunk := list(islice(lines, CHUNK)):
                readable = [(n, r) for n, r in chunk if not isinstance(r, Unreadable)]
                try:
                    report = ingest_records([record for _, record in readable])
                except DatabaseError as exc:
                    raise CommandError(
                        f"The database failed at the batch from line {chunk[0][0]} ({exc}); "
                        "the lines before it were imported."
                    ) from exc
                # Each batch is like a request: the query log (kept with DEBUG=1) starts over.
                reset_queries()
                for name in ("accepted", "updated", "unchanged"):
                    counts[name] += len(getattr(report, name))
                problems = [(n, "line", r) for n, r in chunk if isinstance(r, Unreadable)]
                problems += [(readable[r.index][0], r.field, r.reason) for r in report.rejected]
                counts["rejected"] += len(problems)
                # Said as each batch ends, so nothing piles up in memory; batches go in file
                # order, so the lines do too.
                for line, field, reason in sorted(problems):
                    bar.clear()
                    self.stderr.write(f"line {line}: {field} {reason}")
                bar.update(len(chunk))
        self.stdout.write(
            f"{counts['accepted']} accepted, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['rejected']} rejected"
        )
        if counts["rejected"]:
            raise CommandError(
                f"{counts['rejected']} record(s) rejected; the others were imported."
            )
