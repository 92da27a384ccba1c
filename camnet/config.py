"""Configuration: a TOML file loaded into frozen pydantic models that reject unknown keys.

Every setting is documented in README.md ("Configuration reference"); a test checks it.
Secrets never live in the TOML file: see :mod:`camnet.secretstore`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_CONFIG_PATH = Path("config/camnet.toml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerConfig(_Section):
    """The HTTP listener."""

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    max_body_bytes: int = Field(1_048_576, ge=1024)
    tls_cert: str = ""
    tls_key: str = ""
    uvloop: bool = True


class StorageConfig(_Section):
    """Where camnet keeps its data."""

    data_dir: str = "data"
    database: str = "camnet.sqlite3"
    busy_timeout_ms: int = Field(5000, ge=0)
    backup_before_migrate: bool = True


class SecurityConfig(_Section):
    """Login and session behaviour."""

    session_max_age_s: int = Field(8 * 3600, ge=60)
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    login_max_failures: int = Field(5, ge=1)
    login_window_s: int = Field(900, ge=1)
    login_lockout_s: int = Field(300, ge=1)
    login_max_lockout_s: int = Field(3600, ge=1)
    login_address_ceiling: int = Field(100, ge=1)
    trusted_proxies: tuple[str, ...] = ()


class HealthConfig(_Section):
    """Image-health thresholds for tier-2 frame checks (grey levels 0-255)."""

    black_mean_max: float = Field(16.0, ge=0, le=255)
    black_std_max: float = Field(8.0, ge=0)
    frozen_diff_max: float = Field(0.5, ge=0)
    frozen_changed_max: float = Field(0.0002, ge=0, le=1)
    blur_laplacian_min: float = Field(60.0, ge=0)
    covered_std_max: float = Field(12.0, ge=0)
    covered_detail_max: float = Field(0.01, ge=0, le=1)


class MonitorConfig(_Section):
    """Liveness probing."""

    enabled: bool = True
    interval_s: float = Field(60.0, ge=1)
    timeout_s: float = Field(5.0, gt=0)
    deny_networks: tuple[str, ...] = ()
    concurrency: int = Field(1000, ge=1, le=20000)
    spread: float = Field(0.5, ge=0, le=1)
    down_after: int = Field(3, ge=1)
    up_after: int = Field(2, ge=1)
    tier2_every: int = Field(5, ge=1)
    tier2_workers: int = Field(2, ge=1, le=256)
    tier2_open_timeout_s: float = Field(3.0, gt=0)
    tier2_read_timeout_s: float = Field(2.0, gt=0)
    tier2_gop_wait_s: float = Field(0.0, ge=0)
    tier2_deadline_s: float = Field(8.0, gt=0)
    tier2_queue: int = Field(256, ge=1)
    tier2_backoff_max: int = Field(16, ge=1)
    tier2_max_age_s: float = Field(1800.0, gt=0)
    picture_after: int = Field(2, ge=1)
    coverage_gap_intervals: float = Field(2.0, ge=1)
    snapshot_width: int = Field(320, ge=64, le=1920)
    cycle_retention_days: float = Field(400.0, gt=0)
    health: HealthConfig = HealthConfig()

    @field_validator("deny_networks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import ipaddress

        for block in value:
            try:
                ipaddress.ip_network(block, strict=False)
            except ValueError as exc:
                raise ValueError(f"not a network block {block!r}: use CIDR, e.g. 169.254.0.0/16") from exc
        return value


class NotifyConfig(_Section):
    """Where status changes are sent."""

    webhook_url: str = ""
    webhook_timeout_s: float = Field(5.0, gt=0)


class AlertsConfig(_Section):
    """Alerts (Zalo, e-mail, signed webhook): grouping, damping, delivery. See README "Alerts"."""

    enabled: bool = True
    tick_s: float = Field(1.0, gt=0)
    public_url: str = "http://127.0.0.1:8080"
    group_wait_s: float = Field(60.0, ge=0)
    group_interval_s: float = Field(300.0, ge=0)
    repeat_police_s: float = Field(4 * 3600.0, gt=0)
    repeat_host_s: float = Field(24 * 3600.0, gt=0)
    flap_transitions: int = Field(4, ge=2)
    flap_window_s: float = Field(3600.0, gt=0)
    flap_stable_s: float = Field(1800.0, gt=0)
    zone_down_pct: float = Field(30.0, gt=0, le=100)
    watchdog_intervals: float = Field(3.0, gt=1)
    deadline_check_s: float = Field(300.0, gt=0)
    chain_check_s: float = Field(3600.0, gt=0)
    host_quiet_start: str = "22:00"
    host_quiet_end: str = "06:00"
    max_attempts: int = Field(12, ge=1)
    backoff_base_s: float = Field(2.0, gt=0)
    backoff_max_s: float = Field(900.0, gt=0)
    channel_fail_threshold: int = Field(5, ge=1)
    http_timeout_s: float = Field(10.0, gt=0)
    link_code_ttl_s: float = Field(900.0, gt=0)
    zalo_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_poll: bool = False
    zalo_poll_timeout_s: float = Field(30.0, gt=0)
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str = ""
    smtp_from: str = ""
    webhook_url: str = ""
    telegram_enabled: bool = False
    telegram_base_url: str = "https://api.telegram.org"
    zalo_oa_enabled: bool = False
    zalo_oa_base_url: str = "https://openapi.zalo.me"
    zalo_oa_oauth_url: str = "https://oauth.zaloapp.com"
    zalo_oa_app_id: str = ""
    apprise_enabled: bool = False


class EvidenceConfig(_Section):
    """Footage-extraction requests and evidence files."""

    upload_max_bytes: int = Field(4 * 1024**3, ge=1024)
    at_risk_hours: float = Field(48.0, gt=0)
    file_workers: int = Field(2, ge=1, le=32)
    anchor_dir: str = ""  # empty: <data_dir>/anchors; point it at removable or remote storage
    separation_of_duties: bool = True
    parent_unit: str = ""
    issuing_unit: str = ""


class MapConfig(_Section):
    """The coverage map."""

    basemap: str = ""  # a .pmtiles file served same-origin; empty = no basemap (a normal state)
    basemap_attribution: str = "© OpenStreetMap contributors"


class CoverageConfig(_Section):
    """View cones, coverage and "who could have seen P"."""

    tolerance_m: float = Field(15.0, ge=0, le=500)
    unknown_reach_m: float = Field(50.0, ge=0, le=1000)
    watch_gap_cycles: float = Field(3.0, ge=1)


class RollupConfig(_Section):
    """Daily uptime roll-ups (monitor/rollup.py): how often and how far behind now."""

    enabled: bool = True
    interval_s: float = Field(300.0, ge=5)
    lag_s: float = Field(3600.0, ge=0)
    max_days: int = Field(7, ge=1, le=366)  # memory grows with days × cameras
class StatusPageConfig(_Section):
    """Public status pages per commune (README "Public status page")."""

    bucket_s: int = Field(3600, ge=60, le=86400)
    cache_ttl_s: float = Field(300.0, ge=0)
    days: int = Field(90, ge=7, le=366)
    min_component_cameras: int = Field(5, ge=1)
    degraded_pct: float = Field(10.0, gt=0, le=100)
    partial_pct: float = Field(25.0, gt=0, le=100)
    major_pct: float = Field(50.0, gt=0, le=100)
    maintenance_pct: float = Field(50.0, gt=0, le=100)
    notice_recent_days: int = Field(7, ge=0, le=90)
    prewarm: bool = True

    @field_validator("major_pct")
    @classmethod
    def _ordered(cls, value: float, info: Any) -> float:
        degraded, partial = info.data.get("degraded_pct"), info.data.get("partial_pct")
        if degraded is not None and partial is not None and not degraded <= partial <= value:
            raise ValueError("need degraded_pct <= partial_pct <= major_pct")
        return value


class UiConfig(_Section):
    """Language and time zone shown to people."""

    language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, use an IANA name") from exc
        return value


class HostsConfig(_Section):
    """Self-registration of hosts, their private links and abuse limits."""

    registration_enabled: bool = True
    link_days: int = Field(180, ge=1, le=3650)
    rate_window_s: int = Field(86400, ge=60)
    rate_per_address: int = Field(5, ge=1)
    rate_per_phone: int = Field(3, ge=1)
    max_cameras: int = Field(16, ge=1, le=100)
    pow_max_number: int = Field(100_000, ge=1000, le=10_000_000)
    pow_ttl_s: int = Field(1200, ge=60)
    subject_request_hours: int = Field(72, ge=1)
    upload_max_bytes: int = Field(2 * 1024**3, ge=1024)


class LoggingConfig(_Section):
    """Log output."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Config(_Section):
    """The whole effective configuration."""

    server: ServerConfig = ServerConfig()
    storage: StorageConfig = StorageConfig()
    security: SecurityConfig = SecurityConfig()
    monitor: MonitorConfig = MonitorConfig()
    notify: NotifyConfig = NotifyConfig()
    evidence: EvidenceConfig = EvidenceConfig()
    alerts: AlertsConfig = AlertsConfig()
    map: MapConfig = MapConfig()
    coverage: CoverageConfig = CoverageConfig()
    rollup: RollupConfig = RollupConfig()
    status_page: StatusPageConfig = StatusPageConfig()
    ui: UiConfig = UiConfig()
    hosts: HostsConfig = HostsConfig()
    logging: LoggingConfig = LoggingConfig()

    @property
    def data_dir(self) -> Path:
        """Absolute data directory."""
        return Path(self.storage.data_dir).expanduser().resolve()

    @property
    def database_path(self) -> Path:
        """Absolute path of the SQLite database file."""
        db = Path(self.storage.database).expanduser()
        return db if db.is_absolute() else self.data_dir / db


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names file, key and fix."""


def load_config(path: Path | str | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Load and validate a TOML config file.

    Args:
        path: the TOML file; ``None`` means defaults only.
        overrides: nested dict merged over the file (used by the CLI and tests).

    Raises:
        ConfigError: the file is missing, is not TOML, or has bad or unknown keys.
    """
    raw: dict[str, Any] = {}
    where = "<defaults>"
    if path is not None:
        where = str(path)
        try:
            with open(path, "rb") as fh:
                raw = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ConfigError(f"{where}: file not found") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
        base = Path(path).resolve().parent
        storage = raw.get("storage")
        if isinstance(storage, dict) and isinstance(storage.get("data_dir"), str):
            data_dir = Path(storage["data_dir"]).expanduser()
            if not data_dir.is_absolute():
                # Relative data dirs are relative to the config file's parent's parent
                # (config/camnet.toml -> ./data), so the service works from any cwd.
                storage["data_dir"] = str((base.parent / data_dir).resolve())
    if overrides:
        raw = merge(raw, overrides)
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(where, exc)) from exc


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``extra`` into a copy of ``base`` (tables merge, other values replace)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(where: str, exc: ValidationError) -> str:
    lines = [f"{where}: invalid configuration"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            section = _section_for(err["loc"][:-1])
            allowed = ", ".join(sorted(section.model_fields)) if section else "?"
            lines.append(f"  {key}: unknown key; allowed here: {allowed}")
        else:
            lines.append(f"  {key}: {err['msg']} (got {err.get('input')!r})")
    return "\n".join(lines)


def _section_for(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = Config
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None or not isinstance(field.annotation, type):
            return None
        if not issubclass(field.annotation, BaseModel):
            return None
        model = field.annotation
    return model


def iter_setting_names(model: type[BaseModel] = Config, prefix: str = "") -> list[str]:
    """List every leaf setting as ``section.key`` (used by the docs test and check-config)."""
    names: list[str] = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            names.extend(iter_setting_names(ann, f"{prefix}{name}."))
        else:
            names.append(f"{prefix}{name}")
    return names
