"""Hosts and residents: self-registration with consent, host pages, public commune status.

A domain package: no HTTP here (the web layer calls these functions).
"""
