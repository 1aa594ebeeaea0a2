"""Importers for the back-office export files marketers download (PLATFORMS.md) and the
project's own daily/campaign CSV templates. Entry point: `file_import`."""

from .errors import ImportFileError, ImportProblem
from .formats import KINDS
from .service import ImportResult, file_import
from .templates import TEMPLATE_KINDS, template_csv

__all__ = ["KINDS", "TEMPLATE_KINDS", "ImportFileError", "ImportProblem", "ImportResult", "file_import", "template_csv"]
