"""A deterministic local stand-in for the five platform APIs (see `server.py` for its endpoints)."""

from .auth import demo_credentials
from .server import Sandbox, api_bases

__all__ = ["Sandbox", "api_bases", "demo_credentials"]
