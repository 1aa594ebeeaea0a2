"""How `make run` starts the local platform sandbox (filled in by the ingestion work)."""


def sandbox_environment(python: str, port: str) -> tuple[list[str], dict]:
    """Returns the sandbox command line (empty: none) and the env pointing connectors at it."""
    return [], {}
