"""The REST API of CONTRACT.md: every view builds on `base.TenantViewMixin`."""
