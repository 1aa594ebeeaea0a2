"""The one error a read raises for input it cannot answer (pure: no Django import).

Selectors and planners raise `QueryError`; the API's one handler (api/exceptions.py) answers it as
a 400 validation error, and the dashboards show its message. A `ValueError`, so pure callers and
tests can catch it as one.
"""


class QueryError(ValueError):
    """`field` names the parameter at fault (None: the request as a whole), `code` the rule broken."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.field, self.code = field, code
