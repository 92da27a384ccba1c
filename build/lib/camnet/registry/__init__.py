"""The camera registry: zones, points and cameras."""
