"""Sample data: a clearly labelled, fictional model of Phú Mỹ commune (Phú Vang, Thừa Thiên Huế).

24 points, 28 cameras, 4 hamlets, and one demo user per role (password ``camnet-demo``).
Every zone code starts with ``SAMPLE-`` and every page shows a "sample data" banner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from camnet import audit
from camnet.accounts.users import hash_password, insert_user
from camnet.auth.principal import cli_principal
from camnet.db import Database
from camnet.registry.cameras import insert_camera
from camnet.registry.models import CameraIn, PointIn, ZoneIn
from camnet.registry.points import insert_point
from camnet.registry.zones import insert_zone, zone_code_prefix_exists
from camnet.secretstore import CredentialCipher

SAMPLE_PREFIX = "SAMPLE-"


@dataclass(frozen=True)
class SampleLoaded:
    """What :func:`load_sample` did."""

    loaded: bool
    zones: int = 0
    points: int = 0
    cameras: int = 0
    users: int = 0


def sample_document() -> dict[str, Any]:
    """Return the sample data file as a dict."""
    text = (resources.files("camnet.sample") / "phumy.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


async def has_sample_data(db: Database) -> bool:
    """Tell whether the sample zones are loaded (pages then show a banner)."""
    return await zone_code_prefix_exists(db, SAMPLE_PREFIX)


async def load_sample(db: Database, cipher: CredentialCipher) -> SampleLoaded:
    """Load the sample commune unless its zones already exist (idempotent)."""
    if await has_sample_data(db):
        return SampleLoaded(loaded=False)
    doc = sample_document()
    actor = cli_principal("sample-loader")
    password_hash = await hash_password(doc["demo_password"])
    cameras = 0
    async with db.transaction() as tx:
        for zone in doc["zones"]:
            await insert_zone(tx, actor, ZoneIn.model_validate(zone))
        for point in doc["points"]:
            cams = point.pop("cameras")
            point_id = await insert_point(tx, actor, PointIn.model_validate(point))
            for cam in cams:
                await insert_camera(tx, actor, cipher, CameraIn.model_validate({**cam, "point_id": point_id}))
                cameras += 1
        for user in doc["users"]:
            await insert_user(tx, actor, username=user["username"], password_hash=password_hash,
                              role=user["role"], zone_code=user["zone_code"],
                              full_name=user["full_name"], title=user.get("title", ""))
        await audit.record(tx, actor, "load_sample", "zone", None, None,
                           {"zones": len(doc["zones"]), "points": len(doc["points"]),
                            "cameras": cameras, "users": [u["username"] for u in doc["users"]]})
    return SampleLoaded(True, len(doc["zones"]), len(doc["points"]), cameras, len(doc["users"]))
