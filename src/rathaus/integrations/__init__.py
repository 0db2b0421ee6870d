"""Clients for external systems, one folder per system.

Each integration is plain Python without Django models: it takes its configuration as
arguments and raises its own exceptions, so it can be tested against a local server. The
app that uses it wraps it behind a small interface (e.g. `council.video`).
"""
