"""How `make run` starts the local platform sandbox and points every connector at it."""

from ingestion.sandbox.server import api_bases


def sandbox_environment(python: str, port: str) -> tuple[list[str], dict]:
    """The sandbox command line and the `*_API_BASE` variables that point the connectors at it."""
    argv = [python, "manage.py", "run_sandbox", "--port", str(port)]
    return argv, api_bases(f"http://127.0.0.1:{port}")
