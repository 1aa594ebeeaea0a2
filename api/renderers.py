"""`?format=csv` for every list and the KPI report: UTF-8 with a BOM so Excel reads Chinese."""

import csv
import io

from rest_framework.renderers import BaseRenderer

from socialmetrics.spreadsheets import csv_cell


def _flat(row: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            # KPI rows: {"kpis": {...}, "previous": {...}} → views, previous.views, change.views
            flat.update(_flat(value, "" if key == "kpis" else f"{name}."))
        else:
            flat[name] = value
    return flat


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results", []) if isinstance(data, dict) else (data or [])
        rows = [_flat(row) for row in rows]
        columns = list(dict.fromkeys(name for row in rows for name in row))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else csv_cell(v) for k, v in row.items()})
        return ("\ufeff" + out.getvalue()).encode("utf-8")
