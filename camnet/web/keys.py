"""Typed application keys: every long-lived resource the app holds, in one place."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from camnet.auth.throttle import ThrottlePolicy
from camnet.config import Config
from camnet.db import Database
from camnet.evidence.blobstore import BlobStore
from camnet.monitor.service import MonitorService
from camnet.secretstore import CredentialCipher, Secrets

CONFIG = web.AppKey("config", Config)
SECRETS = web.AppKey("secrets", Secrets)
DB = web.AppKey("db", Database)
CIPHER = web.AppKey("cipher", CredentialCipher)
THROTTLE = web.AppKey("throttle", ThrottlePolicy)
EXECUTOR = web.AppKey("executor", ThreadPoolExecutor)  # frame checks
FILE_EXECUTOR = web.AppKey("file_executor", ThreadPoolExecutor)  # evidence files
BLOBS = web.AppKey("blobs", BlobStore)
HOST_BLOBS = web.AppKey("host_blobs", BlobStore)  # same store, hosts.upload_max_bytes
MONITOR = web.AppKey("monitor", MonitorService)
EXTRA = web.AppKey("extra", dict)
