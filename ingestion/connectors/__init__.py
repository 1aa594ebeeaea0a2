"""One connector per platform behind one interface; see `base.py`."""

from .base import REGISTRY, Connector, connector_for, register

__all__ = ["REGISTRY", "Connector", "connector_for", "register"]
