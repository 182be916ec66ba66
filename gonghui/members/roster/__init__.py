"""Roster import: members added to one union from a spreadsheet, all or nothing (or only the valid rows).

The file is streamed (``tabular``: CSV decoded as it is read, xlsx inflated and parsed a chunk at a time), in
batches of ``BATCH`` rows, so memory stays bounded by a batch. The same person twice in the file is found by
the blind index of their document, kept in a temporary SQLite file with a bounded cache (``_Seen``), so that
memory stays flat however many rows the file has:

1. The check (read-only, outside any transaction). Every row is parsed (Chinese headers and their
   synonyms, full-width characters, dates in the usual spellings, Chinese labels for the choices) and
   cleaned by ``services.person_clean``; the people already registered and their active memberships are
   looked up by blind index, one query per batch. The progress callback runs after each batch and, as no
   transaction is open, other connections (the page polling a job) see it. Each checked batch is kept in a
   sealed temporary spool (``_Spool``), so the write does not read and check the file again.
2. The write, when the check allows it, inside ONE ``transaction.atomic()``: the rows are looked up again
   (the registry may have changed since the check) and written per batch, PostgreSQL through a binary
   ``COPY`` (ids drawn from the sequence first), SQLite through ``executemany``, with one audit event for
   the whole import. A crash or a kill leaves the database as it was. Progress written inside this
   transaction would stay invisible to other connections until the commit (and on SQLite no other
   connection can write meanwhile), so the write reports only its start.

A large all-or-nothing import into PostgreSQL runs the two at once (``_Writer``): each checked batch goes to a
thread that writes it on a connection of its own, inside the one transaction, while the next batch is checked;
the transaction commits only when every row has passed, and is rolled back otherwise. The database's work (heap,
ten indexes, WAL, foreign keys) then runs on another core than the Python that reads and checks the rows.

``member_add`` is not called per row: it records an audit event and runs several queries per row, far too
slow for a roster of a large union; the rules are the same (``person_clean``, ``membership_values``,
``check_joined_on``, one active membership per person), and personal data is sealed by the model fields
themselves. ``benchmarks/member_import.py`` measures all this against a raw COPY, ``bulk_create`` and a
``member_add`` loop.
"""

import contextlib
import datetime
import multiprocessing
import os
import pickle
import queue
import sqlite3
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gonghui.core import audit, tabular
from gonghui.core.models import Outcome
from gonghui.core.spreadsheets import cell_text

from .. import services
from ..models import Membership, MembershipStatus
from .columns import (
    _ACTION_CODES,
    _CODE_ACTIONS,
    BATCH,
    BY_KEY,
    COLUMNS,
    CREATE,
    HEADERS,
    KIND,
    PREVIEW_ROWS,
    REFUSED,
    REQUIRED,
    UNCHANGED,
    UPDATE,
    RosterFileError,
)
from .lookup import _classify
from .result import Problem, RosterResult
from .rows import _CJK, _SEX, _clean_name, _parse, _Row  # noqa: F401 (re-exported)
from .writing import _MEMBERSHIP_COLUMNS, _PERSON_COLUMNS, _UID_CHARS, _copy_type, _insert, _seal, _uids, _write  # noqa: F401 (re-exported)

# --- the import ------------------------------------------------------------------------------------------

Progress = Callable[[str, int, int], None]  # (phase "check" or "write", rows processed, rows expected)
# From this many rows (as estimated before reading), an import into PostgreSQL writes while it checks (_Writer).
OVERLAP_ROWS = 20_000
QUEUE_BATCHES = 8  # checked batches waiting for the writer, at most


class _Refused(Exception):
    pass


def roster_import(*, actor, union, data: tabular.Source, filename: str, dry_run: bool = False,
                  skip_invalid: bool = False, accept_over_employees: bool = False,
                  progress: Progress | None = None) -> RosterResult:
    """Import a roster into ``union``: every row, or none when any row is refused (unless ``skip_invalid``:
    then the valid rows). ``dry_run`` checks everything and writes nothing. ``data`` is the file's content,
    or its path (then it is streamed from disk, never held in memory).

    An import that would give the union more members than employees writes nothing unless
    ``accept_over_employees`` (the result says ``blocked_over_employees``; a dry run only reports it).

    Raises RosterFileError when the file cannot be read (or has no header row), PermissionDenied without
    "member.import", Http404 for a union outside the actor's scope, ValidationError for a union that takes
    no members.
    """
    actor.require("member.import")
    actor.require_covers(union.path)
    services.check_member_unit(union)
    table = tabular.open_table(data, filename, kind=KIND)
    result = RosterResult(filename=filename, union_code=union.code, dry_run=dry_run, skip_invalid=skip_invalid,
                          accept_over_employees=accept_over_employees, employees=union.employee_count or 0,
                          # The employees are the whole enterprise's: its branches' (分会) members count too.
                          members_before=Membership.objects.filter(org_path__startswith=union.path,
                                                                   status=MembershipStatus.ACTIVE).count())
    head = table.head()
    header = tabular.find_header(head, HEADERS)
    if header is None:
        raise RosterFileError(
            _("No header row was found in the first %(n)s rows. The header row names the columns, such as "
              "%(columns)s.") % {"n": tabular.HEADER_SEARCH_ROWS,
                                 "columns": "、".join(BY_KEY[k].header for k in REQUIRED)}, code="no_header")
    result.header_row = header + 1
    result.columns = tabular.map_columns(head[header], HEADERS)
    if not _check_columns(result):
        return result
    if _overlapped(table, dry_run=dry_run, skip_invalid=skip_invalid):
        return _import_overlapped(table, result, actor=actor, union=union, progress=progress)
    with _Spool() if not dry_run else contextlib.nullcontext() as spool:
        refused_lines = _check(table, result, actor=actor, union=union, progress=progress, spool=spool)
        if result.fatal or dry_run:
            return result
        if result.problems and (not skip_invalid or result.created + result.updated + result.unchanged == 0):
            _audit(actor, union, result, outcome=Outcome.FAILED)
            return result
        if result.blocked_over_employees:
            _audit(actor, union, result, outcome=Outcome.FAILED)
            return result
        if progress:
            progress("write", result.total, result.total)
        try:
            with transaction.atomic():
                _write_all(table, result, refused_lines, actor=actor, union=union, spool=spool)
                _audit(actor, union, result)
            result.committed = True
        except _Refused:
            _audit(actor, union, result, outcome=Outcome.FAILED)
        except IntegrityError:
            _conflict(result)
            _audit(actor, union, result, outcome=Outcome.FAILED)
    return result


def _conflict(result: RosterResult) -> None:
    result.problems.append(Problem(result.header_row, "", "", "", _(
        "The registry was changed by someone else during the import; nothing was written. Try again."),
        "conflict"))
    result.fatal = True


def _check_columns(result: RosterResult) -> bool:
    found = {c.key for c in result.columns if c.key}
    for key in REQUIRED:
        if key not in found:
            header = BY_KEY[key].header
            result.problems.append(Problem(result.header_row, key, header, "", _(
                "The column %(column)s is missing (also accepted: %(synonyms)s).") % {
                "column": header, "synonyms": "、".join(s for s in BY_KEY[key].synonyms if not s.isascii())},
                "missing_column"))
            result.fatal = True
    return not result.fatal


def _data_rows(table: tabular.Table, result: RosterResult, skip: set[int] | None = None) -> Iterator[_Row]:
    mapped = [(c.key, c.index) for c in result.columns if c.key]
    for line, raw in table.rows(start=result.header_row + 1):
        if skip and line in skip:
            continue
        n = len(raw)
        cells, texts, given = {}, {}, {}
        for key, i in mapped:
            value = raw[i] if i < n else ""
            cells[key] = value
            # cell_text, with its common cases inline: this runs for every cell of the file.
            kind = type(value)
            text = texts[key] = value.strip() if kind is str else value.isoformat() if kind is datetime.date \
                else cell_text(value)
            if text:
                given[key] = value
        if given:  # else a blank row (tabular.is_blank)
            yield _parse(line, cells, texts, given)


PARALLEL_ROWS = 20_000  # from this many rows (as estimated before reading), the file is parsed in a child process


class _Parser:
    """The file's rows, parsed and cleaned (``_data_rows``), in batches of BATCH.

    For a large file on a machine with a second core, in a child process: reading the sheet, ``person_clean``
    and the blind index are pure Python and would share one interpreter lock with the lookups, the duplicate
    finder, sealing and writing, which stay here. The child is forked (it shares the loaded code, the active
    language and the file's shared strings), only parses, never touches a database connection, and ends with
    ``os._exit`` (as multiprocessing's fork does), so nothing of the parent's is closed or flushed twice. Rows
    come back through a pipe, a batch at a time (the pipe holds little: the child waits while the import is
    busy). Elsewhere (a small file, one core, no fork) the rows are parsed here."""

    def __init__(self, table: tabular.Table, result: RosterResult):
        self._table, self._result, self._child = table, result, None
        if (table.estimated_rows >= PARALLEL_ROWS and (os.cpu_count() or 1) > 1
                and "fork" in multiprocessing.get_all_start_methods()):
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._child = context.Process(target=_parse_in_child, args=(table, result, send), name="roster-parser",
                                          daemon=True)
            self._child.start()
            send.close()

    def __enter__(self) -> Iterator[list[_Row]]:
        if self._child is None:
            return tabular.in_batches(_data_rows(self._table, self._result), BATCH)
        return self._received()

    def __exit__(self, *exc) -> None:
        if self._child is not None:
            self._receive.close()
            self._child.join(timeout=5)
            if self._child.is_alive():  # the import stopped early: the child is blocked on a full pipe
                self._child.terminate()
                self._child.join()

    def _received(self) -> Iterator[list[_Row]]:
        while True:
            kind, payload = pickle.loads(self._receive.recv_bytes())  # noqa: S301 - from our own child
            if kind == "end":
                return
            if kind == "error":
                raise _rebuilt(*payload)
            yield [_Row(line=line, cells=cells, problems=problems, person=person, membership=membership,
                        doc_type=doc_type, bidx=bidx)
                   for line, cells, problems, person, membership, doc_type, bidx in payload]


def _parse_in_child(table: tabular.Table, result: RosterResult, send) -> None:
    try:
        preview = PREVIEW_ROWS
        for batch in tabular.in_batches(_data_rows(table, result), BATCH):
            rows = []
            for r in batch:
                # The cells are shown again only for a problem, in the preview, or (the ID number) for a problem
                # found later.
                cells = r.cells if r.problems or preview > 0 else {"id_number": r.cells.get("id_number", "")}
                preview -= 1
                rows.append((r.line, cells, r.problems, r.person, r.membership, r.doc_type, r.bidx))
            send.send_bytes(pickle.dumps(("rows", rows), pickle.HIGHEST_PROTOCOL))
        send.send_bytes(pickle.dumps(("end", None)))
    except BaseException as exc:  # sent to the parent, raised there
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        send.send_bytes(pickle.dumps(("error", (type(exc).__name__, messages, getattr(exc, "code", None)))))
    finally:
        send.close()


def _rebuilt(name: str, messages: list[str], code: str | None) -> Exception:
    if name == tabular.TableFileError.__name__:
        return tabular.TableFileError(messages[0], code=code)
    if name == ValidationError.__name__:
        return ValidationError(messages, code=code)
    return RuntimeError(f"parsing the file failed: {name}: {'; '.join(messages)}")


def _check(table, result: RosterResult, *, actor, union, progress: Progress | None,
           writer: "_Writer | None" = None, spool: "_Spool | None" = None, parser: "_Parser | None" = None) -> set[int]:
    """The first pass: every row checked, nothing written; each batch is kept in the spool for the write pass,
    or, with a writer, handed to it while no row has been refused. Returns the refused rows' line numbers."""
    with parser or _Parser(table, result) as batches:
        return _check_batches(batches, table, result, actor=actor, union=union, progress=progress, writer=writer,
                              spool=spool)


def _check_batches(batches: Iterable[list[_Row]], table, result: RosterResult, *, actor, union,
                   progress: Progress | None, writer: "_Writer | None", spool: "_Spool | None") -> set[int]:
    with _Seen() as seen:
        return _check_rows(batches, seen, table, result, actor=actor, union=union, progress=progress,
                           writer=writer, spool=spool)


class _Seen:
    """The duplicate finder: each person's key met so far in the file (``_Row.seen_key``) with the line of
    their first row and the action it was given (``line << 2 | action code``).

    A dict would hold about 120 bytes a row, 120 MB for a million. The keys go instead into a private temporary
    SQLite database (the file SQLite makes for the name "", deleted when closed) whose page cache is bounded,
    so memory stays flat however many rows the file has (what it writes are blind indexes, keyed hashes, never
    a number). One ``INSERT OR IGNORE`` per batch, about 4 µs a row at a million rows; only a batch in which
    fewer keys went in than were given (a person met before) is looked up."""

    CACHE_KIB = 16_384

    def __enter__(self) -> "_Seen":
        self.db = sqlite3.connect("", isolation_level=None)
        for pragma in (f"cache_size = -{self.CACHE_KIB}", "journal_mode = OFF", "synchronous = OFF",
                       "temp_store = FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("CREATE TABLE seen (key BLOB PRIMARY KEY, first INTEGER NOT NULL) WITHOUT ROWID")
        self.db.execute("BEGIN")
        return self

    def __exit__(self, *exc) -> None:
        self.db.close()

    def add(self, firsts: dict[bytes, int]) -> dict[bytes, int]:
        """Add each key (-> ``first``) not met before; returns those met before, with the ``first`` they had."""
        before = self.db.total_changes
        self.db.executemany("INSERT OR IGNORE INTO seen (key, first) VALUES (?, ?)", firsts.items())
        if self.db.total_changes - before == len(firsts):
            return {}
        return {key: first for key, first in self.firsts(firsts).items() if first != firsts[key]}

    def firsts(self, keys: Iterable[bytes]) -> dict[bytes, int]:
        """Those of ``keys`` met so far, with their ``first``."""
        out: dict[bytes, int] = {}
        for key in keys:
            if (found := self.db.execute("SELECT first FROM seen WHERE key = ?", (key,)).fetchone()) is not None:
                out[key] = found[0]
        return out


def _check_rows(batches: Iterable[list[_Row]], seen: _Seen, table, result: RosterResult, *, actor, union,
                progress: Progress | None, writer: "_Writer | None", spool: "_Spool | None") -> set[int]:
    counts: Counter = Counter()
    problems: list[tuple[int, str, str, str]] = []  # (line, key, code, message)
    values: dict[tuple[int, str], str] = {}  # the cells shown next to their problems
    repeats: dict[bytes, tuple[str, list[int]]] = {}  # a person's key -> (the number as shown, lines)
    headers = {c.key: c.header for c in result.columns if c.key}
    preview: list[tuple[int, list[str], str]] = []
    expected = max(table.estimated_rows - result.header_row, 0)
    for batch in batches:
        _classify(batch, actor=actor, union=union)
        firsts: dict[bytes, _Row] = {}  # the batch's first row of each person
        repeated: list[tuple[_Row, bytes, int]] = []  # (row, key, line of the person's first row)
        for row in batch:
            if row.bidx:
                key = row.seen_key
                if key in firsts:
                    repeated.append((row, key, firsts[key].line))
                else:
                    firsts[key] = row
        earlier = seen.add({key: row.line << 2 | _ACTION_CODES[row.action] for key, row in firsts.items()})
        repeated.extend((firsts[key], key, first >> 2) for key, first in earlier.items())
        for row, key, first in sorted(repeated, key=lambda r: r[0].line):
            repeats.setdefault(key, (row.shown("id_number"), [first]))[1].append(row.line)
            row.duplicate, row.action = True, REFUSED
        for row in batch:
            result.total += 1
            counts[row.action] += 1
            for key, code, message in row.problems:
                problems.append((row.line, key, code, message))
                values[(row.line, key)] = row.shown(key)
            if len(preview) < PREVIEW_ROWS:
                preview.append((row.line, [row.shown(k) for k in headers], row.action))
        if writer is not None and not counts[REFUSED]:
            # Sealed here, so that the writer's thread has nearly no Python to run (the two share one interpreter
            # lock) and keeps the database busy.
            _seal([r for r in batch if r.action == CREATE and r.person_id is None])
            writer.put(batch)
        if spool is not None:
            spool.add(batch)
        if progress:
            progress("check", result.total, max(expected, result.total))
    first_codes = seen.firsts(repeats)
    # The same person twice: every one of their rows is refused, the first one too.
    for key, (shown, lines) in repeats.items():
        first_action = _CODE_ACTIONS[first_codes[key] & 3]
        if first_action != REFUSED:
            counts[first_action] -= 1
            counts[REFUSED] += 1
        message = _("The same person appears more than once in the file (rows %(rows)s).") % {
            "rows": ", ".join(map(str, lines))}
        for line in lines:
            problems.append((line, "id_number", "duplicate", message))
            values.setdefault((line, "id_number"), shown)
    order = {c.key: i for i, c in enumerate(COLUMNS)}
    problems.sort(key=lambda p: (p[0], order.get(p[1], -1)))
    result.problems.extend(
        Problem(line, key, headers.get(key, BY_KEY[key].header if key else ""), values.get((line, key), ""),
                message, code)
        for line, key, code, message in problems)
    result.created, result.updated, result.unchanged = counts[CREATE], counts[UPDATE], counts[UNCHANGED]
    refused = result.refused_lines
    result.preview = [{"line": line, "cells": cells, "action": REFUSED if line in refused else action}
                      for line, cells, action in preview]
    if result.total == 0:
        result.problems.append(Problem(result.header_row, "", "", "", _("There are no rows below the header row."),
                                       "no_rows"))
        result.fatal = True
    return refused


@dataclass
class _Written:
    counts: Counter = field(default_factory=Counter)
    late: list[Problem] = field(default_factory=list)  # problems found by the write pass's own lookups


def _write_batch(batch: list[_Row], written: _Written, result: RosterResult, *, actor, union,
                 now: datetime.datetime, today: datetime.date, new_checked: bool = False) -> None:
    """Look the batch up again (the registry may have changed since the check) and write it.

    ``new_checked``: the rows were looked up a moment ago (the overlapped write); only those of people already
    registered are looked up again. A new person registered meanwhile by someone else makes the insert break
    the unique constraint on their document, and the import is refused as a conflict."""
    _classify([r for r in batch if r.person_id is not None] if new_checked else batch, actor=actor, union=union)
    headers = {c.key: c.header for c in result.columns if c.key}
    for row in batch:
        for key, code, message in row.problems:
            written.late.append(Problem(row.line, key, headers.get(key, ""), row.shown(key), message, code))
    if written.late and not result.skip_invalid:
        return  # refused: check the rest, write nothing more
    written.counts.update(_write(batch, union=union, now=now, today=today))


def _settle(result: RosterResult, written: _Written) -> None:
    """The write pass's outcome into the result, inside its transaction (raises _Refused to roll it back).
    On PostgreSQL the deferred foreign keys are checked now, before the audit event takes the chain's lock."""
    if written.late:
        result.problems = sorted([*result.problems, *written.late], key=lambda p: p.row)
        if not result.skip_invalid:
            raise _Refused
    result.created, result.updated, result.unchanged = (written.counts[CREATE], written.counts[UPDATE],
                                                        written.counts[UNCHANGED])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _write_all(table, result: RosterResult, refused_lines: set[int], *, actor, union,
               spool: "_Spool | None" = None) -> None:
    """The second pass, inside the transaction: the checked rows (from the spool, else read and checked again)
    are looked up again and written batch by batch."""
    now, today = timezone.now(), timezone.localdate()
    written = _Written()
    batches = spool.batches(skip=refused_lines) if spool is not None else \
        tabular.in_batches(_data_rows(table, result, skip=refused_lines), BATCH)
    for batch in batches:
        _write_batch(batch, written, result, actor=actor, union=union, now=now, today=today)
    _settle(result, written)


class _Spool:
    """The checked rows kept for the write pass, so that it need not read and check the file again: a batch at a
    time, pickled into an anonymous temporary file (no name on disk; gone with the process). The rows hold ID
    and phone numbers in clear, so each batch is sealed (AES-GCM) with a key that exists only in this process's
    memory."""

    def __init__(self):
        self._file = tempfile.TemporaryFile()  # closed by __exit__
        self._key = AESGCM(AESGCM.generate_key(bit_length=128))

    def __enter__(self) -> "_Spool":
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def add(self, rows: list[_Row]) -> None:
        # Of the cells, only the ID number is shown again (next to a problem the write pass finds).
        data = pickle.dumps([(r.line, r.cells.get("id_number", ""), r.doc_type, r.bidx, r.person, r.membership)
                             for r in rows], protocol=pickle.HIGHEST_PROTOCOL)
        nonce = os.urandom(12)
        sealed = self._key.encrypt(nonce, data, None)
        self._file.write(len(sealed).to_bytes(8, "big") + nonce + sealed)

    def batches(self, *, skip: set[int]) -> Iterator[list[_Row]]:
        self._file.flush()
        self._file.seek(0)
        while head := self._file.read(20):
            sealed = self._file.read(int.from_bytes(head[:8], "big"))
            rows = pickle.loads(self._key.decrypt(head[8:], sealed, None))  # noqa: S301 - written above, sealed
            batch = [_Row(line=line, cells={"id_number": number}, doc_type=doc_type, bidx=bidx, person=person,
                          membership=membership)
                     for line, number, doc_type, bidx, person, membership in rows if line not in skip]
            if batch:
                yield batch


def _overlapped(table: tabular.Table, *, dry_run: bool, skip_invalid: bool) -> bool:
    """Whether to write while checking: a large all-or-nothing import into PostgreSQL, not inside a caller's
    transaction (the writer's connection would not see that transaction's rows, nor roll back with it)."""
    return (not dry_run and not skip_invalid and connection.vendor == "postgresql"
            and not connection.in_atomic_block and table.estimated_rows >= OVERLAP_ROWS)


class _Writer:
    """The write pass run alongside the check. Writing a row costs the database more than checking it costs
    Python, and the two can run on different cores: each batch that passed the check goes through a bounded
    queue to this thread, which looks it up again and writes it on its own connection, inside ONE transaction.
    That transaction commits only once the check has passed every row (a row refused later, say the second
    occurrence of a person, rolls everything back), so the import stays all or nothing, and the check's
    progress, written on the caller's connection outside the transaction, stays visible."""

    def __init__(self, *, actor, union, result: RosterResult):
        self.actor, self.union, self.result = actor, union, result
        self.queue: queue.Queue = queue.Queue(maxsize=QUEUE_BATCHES)
        self.commit = False
        self.stopped = False  # set by the thread when it writes nothing more: batches need not be sent
        self.committed = False
        self.conflict = False
        self.error: BaseException | None = None
        self.late: list[Problem] = []
        self.language = translation.get_language()
        self.now, self.today = timezone.now(), timezone.localdate()
        self.thread = threading.Thread(target=self._run, name="roster-writer", daemon=True)
        self.thread.start()

    def put(self, batch: list[_Row]) -> None:
        if not self.stopped:
            self.queue.put(batch)

    def finish(self, *, commit: bool) -> None:
        """End the stream of batches and wait for the commit (or the rollback)."""
        self.commit = commit
        self.queue.put(None)
        self.thread.join()

    def _run(self) -> None:
        ended = False
        try:
            with translation.override(self.language), transaction.atomic():
                with connection.cursor() as cursor:
                    # Foreign keys checked batch by batch while the check goes on, not all at the commit.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                written = _Written()
                while (batch := self.queue.get()) is not None:
                    if not written.late:
                        _write_batch(batch, written, self.result, actor=self.actor, union=self.union,
                                     now=self.now, today=self.today, new_checked=True)
                        self.stopped = bool(written.late)
                ended = True
                self.late = written.late
                if not self.commit:
                    raise _Refused
                _settle(self.result, written)
                _audit(self.actor, self.union, self.result)
            self.committed = True
        except _Refused:
            pass
        except IntegrityError:
            self.conflict = True
        except BaseException as exc:  # re-raised by the caller's thread
            self.error = exc
        finally:
            self.stopped = True
            if not ended:
                while self.queue.get() is not None:
                    pass
            connection.close()


def _import_overlapped(table, result: RosterResult, *, actor, union, progress: Progress | None) -> RosterResult:
    parser = _Parser(table, result)  # forked before the writer's thread exists
    try:
        writer = _Writer(actor=actor, union=union, result=result)
    except BaseException:
        parser.__exit__(None, None, None)
        raise
    try:
        _check(table, result, actor=actor, union=union, progress=progress, writer=writer, parser=parser)
    except BaseException:
        writer.finish(commit=False)
        raise
    if result.fatal or result.problems or result.blocked_over_employees:
        writer.finish(commit=False)
        if not result.fatal:
            _audit(actor, union, result, outcome=Outcome.FAILED)
        return result
    if progress:
        progress("write", result.total, result.total)
    writer.finish(commit=True)
    if writer.error is not None:
        raise writer.error
    if writer.committed:
        result.committed = True
        return result
    if writer.conflict:
        _conflict(result)
    elif writer.late:
        result.problems = sorted([*result.problems, *writer.late], key=lambda p: p.row)
    _audit(actor, union, result, outcome=Outcome.FAILED)
    return result


def _audit(actor, union, result: RosterResult, outcome: str = Outcome.SUCCESS) -> None:
    audit.record(actor=actor, action="member.import", object_type="org", object_id=union.code,
                 scope_path=union.path, outcome=outcome, details={
                     "file": result.filename[:200], "union": union.code, "rows": result.total,
                     "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                     "refused": result.refused, "skip_invalid": result.skip_invalid,
                     "over_employees": result.over_employees,
                     "accept_over_employees": result.accept_over_employees})


# --- the error report and the template -------------------------------------------------------------------


def problems_report(result: RosterResult, data: tabular.Source, filename: str) -> bytes:
    """The refused rows as they are in the file, each with its row number (行号) and its problems (问题);
    problems with the file as a whole are note lines above the header."""
    by_line, notes = tabular.problems_by_row(result.problems, result.header_row)
    table = tabular.open_table(data, filename, kind=KIND)
    header_cells: list = []
    if result.header_row:
        for _line, cells in table.rows(start=result.header_row):
            header_cells = list(cells)
            break
    rows = ((line, "；".join(by_line[line]), list(cells))
            for line, cells in table.rows(start=result.header_row + 1) if line in by_line)
    return tabular.problems_xlsx(header=header_cells, rows=rows, notes=notes)


def template_xlsx() -> bytes:
    """An empty roster: the header row, the ID and phone columns formatted as text (so Excel keeps every
    digit), and a second sheet explaining each column."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("会员名册")
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
    text = book.add_format({"num_format": "@"})
    for c, col in enumerate(COLUMNS):
        sheet.write_string(0, c, col.header, bold)
        sheet.set_column(c, c, max(10, len(col.header) * 2 + 4), text if col.key in ("id_number", "phone") else None)
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("填写说明")
    for c, h in enumerate(("列名", "也可写作", "填写要求")):
        notes.write_string(0, c, h, bold)
    notes.set_column(0, 1, 24)
    notes.set_column(2, 2, 80)
    for r, col in enumerate(COLUMNS, start=1):
        notes.write_string(r, 0, col.header + (" *" if col.key in REQUIRED else ""))
        notes.write_string(r, 1, "、".join(s for s in col.synonyms if not s.isascii()))
        notes.write_string(r, 2, str(col.help))
    book.close()
    return out.getvalue()
