"""The address book's core: writes with versions and tombstones, queries, sync, portability.

Imports `models` only; `api` translates what it raises into HTTP.
"""
