"""External anchors: signed chain heads written outside the database.

Hash chains catch an edited or deleted middle row; only a copy of the head kept elsewhere
catches a chain cut short, re-hashed from some row on, or a whole database rolled back to an
older backup. An anchor is one JSON line ``{"chain", "seq", "head", "at", "key_id", "prev",
"sig"}``: ``seq`` is the id of the chain's last row, ``head`` its hash, ``prev`` the SHA-256
of the previous line of the log (so a line cut out of the log shows), and ``sig`` an Ed25519
signature (hex) over the canonical JSON of the other fields. The key lives in the data
directory (``anchor-ed25519.key``, mode 0600), never in the database; the log is appended to
``<anchor_dir>/anchors.jsonl`` with ``O_APPEND`` and ``fsync``, and the public key is written
next to it (``anchor-public.txt``).

Pure parts (payload, signing, checking anchors against chain heads) are plain functions over
frozen dataclasses; file and database I/O are the blocking helpers at the bottom, run by the
async entry points in a worker thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from camnet import chain
from camnet.audit import AUDIT_COLUMNS, AUDIT_TABLE
from camnet.config import Config
from camnet.evidence.custody import CUSTODY_COLUMNS, CUSTODY_OPTIONAL, CUSTODY_TABLE
from camnet.timeutil import now_iso, parse_iso, utcnow

log = logging.getLogger(__name__)

KEY_FILE = "anchor-ed25519.key"
LOG_FILE = "anchors.jsonl"
PUBLIC_FILE = "anchor-public.txt"
GENESIS = "0" * 64
# chain name -> (table, hashed columns, columns left out of the hash while NULL)
CHAINS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "custody": (CUSTODY_TABLE, CUSTODY_COLUMNS, CUSTODY_OPTIONAL),
    "audit": (AUDIT_TABLE, AUDIT_COLUMNS, ()),
}


@dataclass(frozen=True, slots=True)
class Anchor:
    """One signed chain head."""

    chain: str
    seq: int
    head: str
    at: str
    key_id: str
    prev: str
    sig: str = ""

    def payload(self) -> bytes:
        """The signed bytes: canonical JSON of every field but ``sig``."""
        body = {k: v for k, v in asdict(self).items() if k != "sig"}
        return chain.canonical(body).encode("utf-8")

    def line(self) -> str:
        """The anchor as one log line (canonical JSON, no newline)."""
        return chain.canonical(asdict(self))


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found while checking chains against anchors.

    ``kind`` is one of ``truncation``, ``rehashing``, ``rollback``, ``bad_signature``,
    ``anchor_log_edited``, ``chain_broken``, ``unknown_chain``.
    """

    kind: str
    chain: str
    seq: int | None
    message: str


@dataclass(frozen=True, slots=True)
class AnchorReport:
    """The outcome of ``camnet chain verify --anchors``."""

    anchors_checked: int
    chains: dict[str, dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no finding was made."""
        return not self.findings


# ---- keys ---------------------------------------------------------------------------------

def key_id(public: Ed25519PublicKey) -> str:
    """Short id of a public key: the first 16 hex digits of SHA-256 of its raw bytes."""
    return hashlib.sha256(public_bytes(public)).hexdigest()[:16]


def public_bytes(public: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_from_hex(text: str) -> Ed25519PublicKey:
    """Load a public key from 64 hex digits."""
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text.strip()))


def load_signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """Blocking: the anchor key from ``data_dir``, generated (mode 0600) on first use."""
    path = data_dir / KEY_FILE
    if path.exists():
        raw = bytes.fromhex(path.read_text().strip())
        return Ed25519PrivateKey.from_private_bytes(raw)
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(raw.hex() + "\n")
    log.warning("generated a new anchor signing key in %s (mode 0600); keep it with backups",
                path)
    return key


# ---- pure core ----------------------------------------------------------------------------

def line_hash(line: str) -> str:
    """SHA-256 (hex) of one log line, used as the next anchor's ``prev``."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def sign_anchor(key: Ed25519PrivateKey, chain_name: str, seq: int, head: str, at: str,
                prev: str) -> Anchor:
    """Make a signed anchor for one chain head."""
    unsigned = Anchor(chain_name, seq, head, at, key_id(key.public_key()), prev)
    return Anchor(**{**asdict(unsigned), "sig": key.sign(unsigned.payload()).hex()})


def signature_ok(anchor: Anchor, public: Ed25519PublicKey) -> bool:
    """True when the anchor's signature is valid for ``public``."""
    try:
        public.verify(bytes.fromhex(anchor.sig), anchor.payload())
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_log(text: str) -> tuple[list[Anchor], list[Finding]]:
    """Parse an anchor log; report lines that do not parse or whose ``prev`` link is broken."""
    anchors: list[Anchor] = []
    findings: list[Finding] = []
    prev = GENESIS
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            anchor = Anchor(chain=str(data["chain"]), seq=int(data["seq"]), head=str(data["head"]),
                            at=str(data["at"]), key_id=str(data["key_id"]),
                            prev=str(data["prev"]), sig=str(data["sig"]))
        except (ValueError, KeyError, TypeError):
            findings.append(Finding("anchor_log_edited", "", None,
                                    f"line {n} of the anchor log is not an anchor"))
            prev = line_hash(raw.strip())
            continue
        if anchor.prev != prev:
            findings.append(Finding(
                "anchor_log_edited", anchor.chain, anchor.seq,
                f"line {n} of the anchor log does not follow the line before it "
                "(a line was removed, inserted or changed)"))
        prev = line_hash(anchor.line())
        anchors.append(anchor)
    return anchors, findings


@dataclass(frozen=True, slots=True)
class ChainState:
    """What the database holds for one chain at verification time."""

    report: chain.ChainReport
    last_id: int
    rows: Mapping[int, tuple[str, str]]  # anchored id -> (hash, at) of that row, if present


def check_anchors(anchors: Iterable[Anchor], states: Mapping[str, ChainState],
                  public: Ed25519PublicKey) -> list[Finding]:
    """Prove each chain still extends every anchor; name what happened when it does not.

    - ``truncation``: the chain ends before an anchored row, while the other chains still
      reach their newest anchors (rows were cut off the end of this chain);
    - ``rollback``: every chain ends before its newest anchor (the database is an older
      copy), or an anchored row was written again after its anchor was made;
    - ``rehashing``: the anchored row is there, written before the anchor, but its hash
      changed (rows were edited and the hashes recomputed from some row onward).
    """
    findings: list[Finding] = []
    latest: dict[str, int] = {}
    pending: list[Anchor] = []
    for anchor in anchors:
        if anchor.chain not in states:
            findings.append(Finding("unknown_chain", anchor.chain, anchor.seq,
                                    f"anchor for an unknown chain {anchor.chain!r}"))
            continue
        if not signature_ok(anchor, public):
            findings.append(Finding("bad_signature", anchor.chain, anchor.seq,
                                    f"anchor {anchor.chain}#{anchor.seq} of {anchor.at}: "
                                    "signature does not verify with the anchor public key"))
            continue
        latest[anchor.chain] = max(latest.get(anchor.chain, 0), anchor.seq)
        pending.append(anchor)
    behind = {name for name, seq in latest.items() if states[name].last_id < seq}
    whole_db_behind = bool(behind) and behind == set(latest)
    good: dict[str, int] = {}
    for anchor in pending:
        state = states[anchor.chain]
        where = f"anchor {anchor.chain}#{anchor.seq} of {anchor.at}"
        if anchor.seq == 0:
            continue  # an anchor of a chain that was still empty: every chain extends it
        row = state.rows.get(anchor.seq)
        if row is None:
            kind = "rollback" if whole_db_behind else "truncation"
            what = ("the whole database is older than the anchor log (restored from a backup?)"
                    if kind == "rollback" else "rows were removed from the end of the chain")
            findings.append(Finding(kind, anchor.chain, anchor.seq,
                                    f"{where}: the chain now ends at row {state.last_id}; {what}"))
            continue
        row_hash, row_at = row
        if row_hash == anchor.head:
            good[anchor.chain] = max(good.get(anchor.chain, 0), anchor.seq)
            continue
        since = good.get(anchor.chain, 0)
        if row_at > anchor.at:
            findings.append(Finding(
                "rollback", anchor.chain, anchor.seq,
                f"{where}: row {anchor.seq} was written at {row_at}, after the anchor; the "
                "database was rolled back to an older copy and written again"))
        else:
            findings.append(Finding(
                "rehashing", anchor.chain, anchor.seq,
                f"{where}: row {anchor.seq} no longer has the anchored hash; rows after "
                f"{since} were changed and their hashes recomputed"))
    return findings


# ---- blocking I/O -------------------------------------------------------------------------

def _heads(conn: sqlite3.Connection) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for name, (table, _cols, _opt) in CHAINS.items():
        row = conn.execute(f"SELECT id, hash FROM {table} ORDER BY id DESC LIMIT 1").fetchone()  # noqa: S608
        out[name] = (int(row[0]), str(row[1])) if row else (0, GENESIS)
    return out


def anchor_dir(config: Config) -> Path:
    """The configured anchor directory (``evidence.anchor_dir``, default ``<data>/anchors``)."""
    configured = config.evidence.anchor_dir
    if not configured:
        return config.data_dir / "anchors"
    path = Path(configured).expanduser()
    return path if path.is_absolute() else config.data_dir / path


def log_path(config: Config) -> Path:
    """The anchor log file."""
    return anchor_dir(config) / LOG_FILE


def _last_line_hash(path: Path) -> str:
    if not path.exists():
        return GENESIS
    last = ""
    with path.open("r", encoding="utf-8") as fh:
        for raw in fh:
            if raw.strip():
                last = raw.strip()
    return line_hash(last) if last else GENESIS


def write_anchors_blocking(db_path: Path, data_dir: Path, directory: Path) -> list[Anchor]:
    """Blocking: sign the current head of every chain and append it to the anchor log."""
    key = load_signing_key(data_dir)
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        heads = _heads(conn)
    finally:
        conn.close()
    directory.mkdir(parents=True, exist_ok=True)
    public_file = directory / PUBLIC_FILE
    public_hex = public_bytes(key.public_key()).hex()
    if not public_file.exists() or public_hex not in public_file.read_text():
        with public_file.open("a", encoding="utf-8") as fh:
            fh.write(f"{public_hex} key_id={key_id(key.public_key())}\n")
    path = directory / LOG_FILE
    prev = _last_line_hash(path)
    at = now_iso()
    anchors = []
    lines = []
    for name, (seq, head) in heads.items():
        anchor = sign_anchor(key, name, seq, head, at, prev)
        prev = line_hash(anchor.line())
        anchors.append(anchor)
        lines.append(anchor.line() + "\n")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, "".join(lines).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return anchors


async def anchor_now(config: Config) -> list[Anchor]:
    """Sign and append the heads of the custody and audit chains (worker thread).

    This is the function to schedule: daily, and after every hand-over.
    """
    return await asyncio.to_thread(write_anchors_blocking, config.database_path, config.data_dir,
                                   anchor_dir(config))


def chain_state(conn: sqlite3.Connection, name: str, anchored: Iterable[int]) -> ChainState:
    """Blocking: recompute one chain and fetch the rows the anchors name."""
    table, columns, optional = CHAINS[name]
    report = chain.verify_connection(conn, table, columns, optional)
    last = conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]  # noqa: S608
    rows: dict[int, tuple[str, str]] = {}
    for seq in set(anchored):
        row = conn.execute(f"SELECT hash, at FROM {table} WHERE id = ?", (seq,)).fetchone()  # noqa: S608
        if row is not None:
            rows[seq] = (str(row[0]), str(row[1]))
    return ChainState(report, int(last), rows)


def verify_blocking(db_path: Path, log_text: str | None, public: Ed25519PublicKey | None
                    ) -> AnchorReport:
    """Blocking: recompute both chains and check them against an anchor log's text."""
    anchors, findings = parse_log(log_text) if log_text is not None else ([], [])
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        states = {name: chain_state(conn, name, [a.seq for a in anchors if a.chain == name])
                  for name in CHAINS}
    finally:
        conn.close()
    for name, state in states.items():
        if not state.report.ok:
            findings.append(Finding("chain_broken", name, state.report.first_bad_id,
                                    f"{name} chain broken at row {state.report.first_bad_id}: "
                                    f"{state.report.reason}"))
    if anchors:
        if public is None:
            raise ValueError("no anchor public key to check the signatures with")
        findings.extend(check_anchors(anchors, states, public))
    chains = {name: {"rows_checked": s.report.rows_checked, "last_id": s.last_id,
                     "ok": s.report.ok} for name, s in states.items()}
    return AnchorReport(len(anchors), chains, findings)


def verify_with_config(config: Config, anchors_file: Path | None,
                       public_hex: str | None = None) -> AnchorReport:
    """Blocking: verify against ``anchors_file`` (default: the configured log).

    The public key is ``public_hex`` if given, else the key in the data directory.
    """
    path = anchors_file or log_path(config)
    text = path.read_text(encoding="utf-8") if path.exists() else None
    if anchors_file is not None and text is None:
        raise FileNotFoundError(f"{anchors_file}: no such anchor log")
    public = (public_from_hex(public_hex) if public_hex
              else load_signing_key(config.data_dir).public_key())
    return verify_blocking(config.database_path, text, public)


# ---- the schedule -------------------------------------------------------------------------

def anchor_due(db_path: Path, path: Path, every_s: float, now: datetime) -> bool:
    """Blocking: is an anchor due?

    It is when there is none yet, the newest is older than ``every_s``, or a request was
    handed over after the newest custody anchor.
    """
    anchors, _ = parse_log(path.read_text(encoding="utf-8")) if path.exists() else ([], [])
    custody = [a for a in anchors if a.chain == "custody"]
    if not custody:
        return True
    newest = custody[-1]
    if (now - parse_iso(newest.at)).total_seconds() >= every_s:
        return True
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT 1 FROM custody_event WHERE id > ? AND action = 'request_status'"
            " AND json_extract(fact, '$.to') = 'handed_over' LIMIT 1", (newest.seq,)).fetchone()
    finally:
        conn.close()
    return row is not None


async def anchor_loop(config: Config, *, poll_s: float = 60.0, every_s: float = 86400.0) -> None:
    """Run forever: anchor daily and within ``poll_s`` of every hand-over.

    Start it as a task when the service starts and cancel it when it stops.
    """
    while True:
        try:
            due = await asyncio.to_thread(anchor_due, config.database_path, log_path(config),
                                          every_s, utcnow())
            if due:
                written = await anchor_now(config)
                log.info("anchored %s", ", ".join(f"{a.chain}#{a.seq}" for a in written))
        except (OSError, sqlite3.Error, ValueError):
            log.exception("could not write the chain anchors; retrying in %.0f s", poll_s)
        await asyncio.sleep(poll_s)


def latest_blocking(path: Path, chain_name: str = "custody") -> Anchor | None:
    """Blocking: the newest anchor of a chain in a log, or None."""
    if not path.exists():
        return None
    found, _ = parse_log(path.read_text(encoding="utf-8"))
    mine = [a for a in found if a.chain == chain_name]
    return mine[-1] if mine else None


async def recent_anchors(config: Config, limit: int = 50) -> dict[str, object]:
    """The newest signed anchors (newest first) with the public key that checks them.

    What the audit viewer and operators show and copy elsewhere; reading the log file runs
    in a worker thread.
    """
    path = log_path(config)

    def read() -> tuple[list[Anchor], list[Finding], str]:
        text = path.read_text("utf-8") if path.exists() else ""
        found, problems = parse_log(text)
        public = load_signing_key(config.data_dir).public_key()
        return found, problems, public_bytes(public).hex()

    found, problems, public_hex = await asyncio.to_thread(read)
    return {"log": str(path), "public_key": public_hex,
            "problems": [p.message for p in problems],
            "items": [asdict(a) for a in reversed(found[-limit:])]}
