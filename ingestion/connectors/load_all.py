"""Importing this module registers every platform connector: one module per registered platform."""

from importlib import import_module

from accounts.platforms import PLATFORMS

for _spec in PLATFORMS:
    import_module(f"ingestion.connectors.{_spec.module}")
