#!/usr/bin/env python3
"""Verify a camnet case package with the Python standard library alone.

Shipped inside every package as ``verify.py``. Run it in the unpacked folder (or give the
folder or the .zip as argument)::

    python3 verify.py [PACKAGE_DIR_OR_ZIP] [--public-key HEX]

It checks, and reports every problem it finds (exit 0 = all good, 1 = a problem):

1. ``SHA256SUMS.sig`` is an Ed25519 signature of ``SHA256SUMS`` by the anchor key
   (``anchor-public.txt``; compare its key id with the one published by the police unit,
   or pass ``--public-key``);
2. every file matches ``SHA256SUMS`` (same check as ``sha256sum -c SHA256SUMS``), and no
   file is missing or unlisted;
3. every custody row of the request re-hashes to its stored hash (which covers the hash of
   the request's previous row), the request's sequence numbers run 1, 2, 3 … with no gap,
   and its last row is the signed anchor's head or links to it (``chain_links.json``);
4. every anchor's signature is valid;
5. the items and status in ``manifest.json`` are those stated by the custody chain.

Ed25519 verification below is the pure-Python reference of RFC 8032 (section 6).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

# ---- Ed25519 (RFC 8032) verification ------------------------------------------------------
_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _recover_x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P)
    if x2 % _P == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0) or 0
_G = (_GX, _GY, 1, _GX * _GY % _P)
Point = tuple[int, int, int, int]


def _add(p: Point, q: Point) -> Point:
    a = (p[1] - p[0]) * (q[1] - q[0]) % _P
    b = (p[1] + p[0]) * (q[1] + q[0]) % _P
    c = 2 * p[3] * q[3] * _D % _P
    d = 2 * p[2] * q[2] % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(s: int, p: Point) -> Point:
    q: Point = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def _equal(p: Point, q: Point) -> bool:
    return ((p[0] * q[2] - q[0] * p[2]) % _P == 0) and ((p[1] * q[2] - q[1] * p[2]) % _P == 0)


def _decompress(s: bytes) -> Point | None:
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message`` by ``public``."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % _L
    return _equal(_mul(s, _G), _add(r, _mul(h, a)))


# ---- the package --------------------------------------------------------------------------
GENESIS = "0" * 64
CUSTODY_COLUMNS = ("item_id", "at", "actor", "action", "from_holder", "to_holder", "note")
CUSTODY_OPTIONAL = ("request_id", "req_seq", "req_prev_hash", "fact")
AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "before", "after")
UNSUMMED = ("SHA256SUMS", "SHA256SUMS.sig")


def canonical(value: object) -> str:
    """Compact JSON with sorted keys, UTF-8 kept (what camnet hashes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(row: dict[str, object], columns: tuple[str, ...], optional: tuple[str, ...]) -> str:
    """Recompute a chained row's hash from its ``prev_hash`` and content."""
    content = {c: row.get(c) for c in columns}
    content.update({c: row[c] for c in optional if row.get(c) is not None})
    data = str(row["prev_hash"]) + "\n" + canonical(content)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _open(source: Path) -> dict[str, bytes]:
    if source.is_file():
        with zipfile.ZipFile(source) as zf:
            return {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    return {str(p.relative_to(source)).replace("\\", "/"): p.read_bytes()
            for p in sorted(source.rglob("*")) if p.is_file()}


def _anchors(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def verify(files: dict[str, bytes], public_hex: str | None = None) -> tuple[list[str], list[str]]:
    """Check a package's files; return (problems, notes)."""
    problems: list[str] = []
    notes: list[str] = []
    for name in ("SHA256SUMS", "SHA256SUMS.sig", "anchor-public.txt", "manifest.json",
                 "custody.json", "chain_links.json", "anchors.jsonl"):
        if name not in files:
            problems.append(f"{name} is missing from the package")
    if problems:
        return problems, notes
    shipped = files["anchor-public.txt"].decode().split()[0]
    key_hex = (public_hex or shipped).strip().lower()
    if public_hex and public_hex.strip().lower() != shipped:
        problems.append("the package's anchor-public.txt is not the public key you gave")
    public = bytes.fromhex(key_hex)
    notes.append(f"anchor public key {key_hex} (key id {hashlib.sha256(public).hexdigest()[:16]})")
    # 1. the signature over SHA256SUMS
    try:
        sig = bytes.fromhex(files["SHA256SUMS.sig"].decode().strip())
    except ValueError:
        sig = b""
    if not ed25519_verify(public, files["SHA256SUMS"], sig):
        problems.append("SHA256SUMS.sig: the signature of SHA256SUMS does not verify "
                        "(the list of hashes was changed)")
    # 2. every file against SHA256SUMS
    listed: dict[str, str] = {}
    for line in files["SHA256SUMS"].decode("utf-8").splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            listed[name.lstrip("*")] = digest
    for name, digest in listed.items():
        if name not in files:
            problems.append(f"{name}: listed in SHA256SUMS but missing")
        elif hashlib.sha256(files[name]).hexdigest() != digest:
            problems.append(f"{name}: content does not match SHA256SUMS (the file was changed)")
    for name in files:
        if name not in listed and name not in UNSUMMED:
            problems.append(f"{name}: not listed in SHA256SUMS (added to the package)")
    # 3. the custody rows, their sequence and their links to an anchor
    custody = json.loads(files["custody.json"])
    links = json.loads(files["chain_links.json"])
    manifest = json.loads(files["manifest.json"])
    request_id = manifest["request"]["id"]
    link_by_id = {int(x["id"]): x for x in links}
    expected_seq = 1
    request_prev = GENESIS
    last_request_row: dict[str, object] | None = None
    for row in custody:
        if row_hash(row, CUSTODY_COLUMNS, CUSTODY_OPTIONAL) != row["hash"]:
            problems.append(f"custody row {row['id']}: content does not match its hash (edited)")
        if row.get("request_id") != request_id:
            continue
        if row["req_seq"] != expected_seq:
            problems.append(f"custody row {row['id']}: request sequence {row['req_seq']}, "
                            f"expected {expected_seq} (a custody row of the request is missing)")
        expected_seq = int(row["req_seq"]) + 1
        if row.get("req_prev_hash") != request_prev:
            problems.append(f"custody row {row['id']}: does not link to the request's previous "
                            "row (a custody row of the request was removed or changed)")
        request_prev = str(row["hash"])
        last_request_row = row
    if last_request_row is not None:
        link = link_by_id.get(int(str(last_request_row["id"])))
        if link is None or link["hash"] != last_request_row["hash"]:
            problems.append(f"custody row {last_request_row['id']}: the request's last row is "
                            "not the start of the chain links to the anchor")
    if manifest.get("custody_rows") is not None and manifest["custody_rows"] != len(custody):
        problems.append(f"custody.json has {len(custody)} rows, the manifest says "
                        f"{manifest['custody_rows']} (rows were removed or added)")
    previous = None
    for link in links:
        if previous is not None and link["prev_hash"] != previous:
            problems.append(f"chain link {link['id']}: does not follow the row before it")
        previous = link["hash"]
    # 4. anchors
    anchors = _anchors(files["anchors.jsonl"].decode("utf-8"))
    covered = False
    for anchor in anchors:
        body = {k: v for k, v in anchor.items() if k != "sig"}
        try:
            good = ed25519_verify(public, canonical(body).encode("utf-8"),
                                  bytes.fromhex(str(anchor["sig"])))
        except ValueError:
            good = False
        if not good:
            problems.append(f"anchor {anchor.get('chain')}#{anchor.get('seq')}: signature "
                            "does not verify (the anchor was changed)")
            continue
        if anchor["chain"] == "custody":
            link = link_by_id.get(int(str(anchor["seq"])))
            if link is not None and link["hash"] == anchor["head"]:
                covered = True
                notes.append(f"custody chain reaches signed anchor row {anchor['seq']} "
                             f"head {anchor['head']} of {anchor['at']}")
    if not covered:
        problems.append("no signed custody anchor is reached by the chain links")
    # 5. the manifest against the chained facts
    status = None
    acquired: dict[int, dict[str, object]] = {}
    for row in custody:
        if row.get("request_id") != request_id or not row.get("fact"):
            continue
        fact = json.loads(row["fact"])
        if row["action"] in ("request_created", "request_status"):
            status = fact.get("to")
        elif row["action"] == "acquired":
            acquired[int(row["item_id"])] = fact
    if status is not None and manifest["request"]["status"] != status:
        problems.append(f"manifest says the request is {manifest['request']['status']!r}, "
                        f"the custody chain says {status!r}")
    for item in manifest["items"]:
        fact = acquired.get(int(item["id"]))
        if fact is None:
            problems.append(f"item {item['id']}: no 'acquired' fact in the custody chain")
            continue
        for key in ("sha256", "size", "filename"):
            if fact.get(key) != item.get(key):
                problems.append(f"item {item['id']}: manifest {key} {item.get(key)!r} differs "
                                f"from the custody chain {fact.get(key)!r}")
        path = item.get("path_in_package")
        if path and path in files and hashlib.sha256(files[path]).hexdigest() != fact["sha256"]:
            problems.append(f"{path}: SHA-256 differs from the item's chained SHA-256")
    return problems, notes


def main(argv: list[str]) -> int:
    """Command line entry: print the result, return the exit code."""
    args = [a for a in argv if not a.startswith("--public-key")]
    public_hex = None
    for n, a in enumerate(argv):
        if a == "--public-key" and n + 1 < len(argv):
            public_hex = argv[n + 1]
            args.remove(public_hex)
        elif a.startswith("--public-key="):
            public_hex = a.split("=", 1)[1]
    source = Path(args[0]) if args else Path(__file__).resolve().parent
    problems, notes = verify(_open(source), public_hex)
    out = io.StringIO()
    for note in notes:
        out.write(f"note: {note}\n")
    for problem in problems:
        out.write(f"PROBLEM: {problem}\n")
    out.write("OK: the package is intact and covered by a signed anchor\n" if not problems
              else f"FAILED: {len(problems)} problem(s)\n")
    sys.stdout.write(out.getvalue())
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
