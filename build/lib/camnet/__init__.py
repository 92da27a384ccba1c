"""camnet: registry and liveness monitor for community security-camera networks."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("camnet")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
