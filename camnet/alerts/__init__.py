"""Alerts: outbox, routing to subscribers, Alertmanager-like grouping, channels, delivery."""
