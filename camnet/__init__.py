"""camnet: registry and liveness monitor for community security-camera networks."""

__version__ = "0.1.0"
