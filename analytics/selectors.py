"""Reads for the API, dashboards, reports and alerts: every KPI goes through here."""
