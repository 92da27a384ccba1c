"""Prometheus text exposition of the monitor: cameras by status, last results, cycles.

Read from the database (not from process memory), so the numbers survive restarts and
describe exactly the caller's zone.
"""

from __future__ import annotations

from datetime import timedelta

from camnet.auth.principal import Principal
from camnet.auth.scope import in_scope
from camnet.config import MonitorConfig
from camnet.db import Database
from camnet.monitor.rtsp_probe import ProbeStatus
from camnet.monitor.tier2_status import Tier2Status, tier2_budget_per_hour, tier2_status
from camnet.registry.cameras import STATUSES
from camnet.timeutil import parse_iso, to_iso, utcnow


def _line(name: str, value: float, labels: dict[str, str] | None = None) -> str:
    if labels:
        inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
        return f"{name}{{{inner}}} {value:g}"
    return f"{name} {value:g}"


def _window_lines(st: Tier2Status) -> list[str]:
    """The tier-2 window: checks an hour needed, the window, cameras overdue."""
    return ["# HELP camnet_tier2_needed_per_hour Picture checks an hour needed so every tier-2"
            " camera is checked within monitor.tier2_max_age_s.",
            "# TYPE camnet_tier2_needed_per_hour gauge",
            _line("camnet_tier2_needed_per_hour", round(st.needed_per_hour)),
            "# HELP camnet_tier2_max_age_seconds The picture-check window (monitor.tier2_max_age_s).",
            "# TYPE camnet_tier2_max_age_seconds gauge",
            _line("camnet_tier2_max_age_seconds", st.max_age_s),
            "# HELP camnet_tier2_overdue Tier-2 cameras whose last picture check is older than"
            " the window.", "# TYPE camnet_tier2_overdue gauge",
            _line("camnet_tier2_overdue", st.overdue)]


async def render_metrics(db: Database, actor: Principal,
                         monitor_config: MonitorConfig | None = None) -> str:
    """The metrics of the cameras in the caller's zone, in Prometheus text format 0.0.4.

    With ``monitor_config``, also the tier-2 budget (checks an hour the workers can do).
    """
    actor.require("monitor.read")
    where, scope = in_scope("z.path", actor.zone_path)
    joins = (" FROM camera c JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
             f" LEFT JOIN camera_status s ON s.camera_id = c.id WHERE {where}")
    by_status = {r[0]: r[1] for r in await db.fetchall(
        f"SELECT COALESCE(s.status, 'unknown'), COUNT(*){joins} AND c.enabled = 1"
        " GROUP BY 1", scope)}
    by_result = {r[0]: r[1] for r in await db.fetchall(
        f"SELECT s.last_result, COUNT(*){joins} AND s.last_result IS NOT NULL GROUP BY 1", scope)}
    by_health = {r[0]: r[1] for r in await db.fetchall(
        f"SELECT s.health, COUNT(*){joins} AND s.health IS NOT NULL GROUP BY 1", scope)}
    open_outages = await db.fetchval(
        "SELECT COUNT(*) FROM outage o JOIN camera c ON c.id = o.camera_id"
        " JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
        f" WHERE o.ended_at IS NULL AND {where}", scope)
    now = utcnow()
    tier2 = await db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(s.last_grab_at IS NULL), 0),"
        f" COALESCE(SUM(s.last_grab_at >= ?), 0), MIN(s.last_grab_at){joins}"
        " AND c.enabled = 1 AND c.monitor_tier = 2", (to_iso(now - timedelta(hours=1)), *scope))
    system = actor.can("system.read")  # cycles cover every zone: whole-service callers only
    cycle = await db.fetchone("SELECT * FROM probe_cycle ORDER BY id DESC LIMIT 1") if system else None
    # MAX(id), not COUNT(*): old rows are pruned (monitor.cycle_retention_days) and ids are
    # never reused, so the newest id counts every cycle ever recorded, by index, in O(1).
    cycles = cycle["id"] if cycle is not None else 0
    out = ["# HELP camnet_cameras Enabled cameras by monitor status.",
           "# TYPE camnet_cameras gauge"]
    out += [_line("camnet_cameras", by_status.get(s, 0), {"status": s}) for s in STATUSES]
    out += ["# HELP camnet_probe_result Cameras by their latest tier-1 result.",
            "# TYPE camnet_probe_result gauge"]
    out += [_line("camnet_probe_result", by_result.get(str(s), 0), {"result": str(s)})
            for s in ProbeStatus]
    out += ["# HELP camnet_picture Cameras by their latest tier-2 picture verdict.",
            "# TYPE camnet_picture gauge"]
    out += [_line("camnet_picture", n, {"health": h}) for h, n in sorted(by_health.items())]
    out += ["# HELP camnet_outages_open Outages not yet over.", "# TYPE camnet_outages_open gauge",
            _line("camnet_outages_open", open_outages or 0)]
    if tier2 is not None:
        oldest = (now - parse_iso(tier2[3])).total_seconds() if tier2[3] else 0.0
        out += ["# HELP camnet_tier2_cameras Enabled tier-2 cameras, and how many never had a"
                " picture check.", "# TYPE camnet_tier2_cameras gauge",
                _line("camnet_tier2_cameras", tier2[0], {"what": "total"}),
                _line("camnet_tier2_cameras", tier2[1], {"what": "never_checked"}),
                "# HELP camnet_tier2_checked_last_hour Tier-2 cameras whose picture was checked"
                " in the last hour (the achieved rate).", "# TYPE camnet_tier2_checked_last_hour gauge",
                _line("camnet_tier2_checked_last_hour", tier2[2]),
                "# HELP camnet_tier2_oldest_check_age_seconds Age of the oldest picture check"
                " among tier-2 cameras.", "# TYPE camnet_tier2_oldest_check_age_seconds gauge",
                _line("camnet_tier2_oldest_check_age_seconds", round(oldest, 1))]
    if monitor_config is not None:
        out += ["# HELP camnet_tier2_budget_per_hour Picture checks an hour the tier-2 workers"
                " can always do (each grab at its deadline).",
                "# TYPE camnet_tier2_budget_per_hour gauge",
                _line("camnet_tier2_budget_per_hour", round(tier2_budget_per_hour(monitor_config)))]
        out += _window_lines(await tier2_status(db, actor, monitor_config))
    if system:
        out += ["# HELP camnet_probe_cycles_total Probe cycles recorded.",
                "# TYPE camnet_probe_cycles_total counter",
                _line("camnet_probe_cycles_total", cycles or 0)]
    if cycle is not None:
        out += ["# HELP camnet_probe_cycle_duration_seconds Duration of the last probe cycle.",
                "# TYPE camnet_probe_cycle_duration_seconds gauge",
                _line("camnet_probe_cycle_duration_seconds", round(cycle["duration_ms"] / 1000, 3)),
                "# HELP camnet_probe_cycle_cameras Cameras in the last cycle, and how many completed.",
                "# TYPE camnet_probe_cycle_cameras gauge",
                _line("camnet_probe_cycle_cameras", cycle["cameras"], {"what": "selected"}),
                _line("camnet_probe_cycle_cameras", cycle["completed"], {"what": "completed"})]
    return "\n".join(out) + "\n"
