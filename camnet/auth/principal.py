"""Who is acting: a user (or the CLI) with a role, bound to a zone and its descendants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from camnet.errors import Forbidden, Words

Role = Literal["viewer", "officer", "investigator", "commander", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "officer", "investigator", "commander", "admin")

READ = frozenset({"registry.read", "monitor.read", "incident.read"})
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"registry.read", "monitor.read"}),
    "officer": READ
    | {"registry.write", "monitor.write", "incident.write", "request.draft", "request.submit"},
    "investigator": READ
    | {"incident.write", "request.draft", "request.submit", "evidence.write"},
    "commander": READ | {"registry.write", "request.approve", "audit.read",
                         "status_page.publish"},
    "admin": READ
    | {
        "registry.write",
        "monitor.write",
        "incident.write",
        "request.draft",
        "request.submit",
        "request.approve",
        "evidence.write",
        "audit.read",
        "users.manage",
        "zones.manage",  # switch a zone off and on
        "system.read",  # facts about the whole service: every cycle, whole chains
        "status_page.publish",  # turn a commune's public status page on or off
    },
}
ALL_PERMISSIONS = frozenset().union(*PERMISSIONS.values())


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    Attributes:
        user_id: the user's id; 0 for the local CLI.
        username: shown in the audit log.
        role: one of :data:`ROLES`.
        zone_id: the zone the caller is bound to.
        zone_path: materialised path of that zone, e.g. ``/1/4/``; scope is every zone
            whose path starts with it.
    """

    user_id: int
    username: str
    role: Role
    zone_id: int | None
    zone_path: str

    def can(self, permission: str) -> bool:
        """Tell whether the role grants ``permission``."""
        return permission in PERMISSIONS[self.role]

    def require(self, permission: str) -> None:
        """Raise :class:`Forbidden` unless the role grants ``permission``."""
        if permission not in ALL_PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        if not self.can(permission):
            raise Forbidden(f"role {self.role!r} may not do {permission!r}", key="err_role_may_not",
                            role=Words.of("role_", self.role))

    def sees_path(self, path: str) -> bool:
        """Tell whether a zone path lies inside this caller's scope."""
        return path_within(path, self.zone_path)


def path_within(path: str, root: str) -> bool:
    """Tell whether a zone path lies in the subtree at ``root`` (the one Python-side check)."""
    return path.startswith(root)


def cli_principal(username: str = "cli") -> Principal:
    """The local operator at the command line: admin over every zone."""
    return Principal(user_id=0, username=username, role="admin", zone_id=None, zone_path="/")
