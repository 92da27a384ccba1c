"""Helpers for tests, the demo and benchmarks: camera simulator and RTSP responder."""
