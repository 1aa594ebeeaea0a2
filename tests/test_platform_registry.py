"""Every registered platform has every part: a test fails when one is missing (accounts/platforms.py)."""

import re
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Platform
from accounts.platforms import PLATFORM_COLORS, PLATFORMS, PlatformSpec
from dashboards.catalog import METRICS, PLATFORM_NATIVE
from ingestion.connectors.base import REGISTRY, Connector
from ingestion.sandbox import demo, server
from ingestion.sandbox.auth import demo_credentials

ROOT = Path(__file__).resolve().parent.parent
SPECS = pytest.mark.parametrize("spec", PLATFORMS, ids=[s.code for s in PLATFORMS])


def test_the_model_choices_are_the_registry():
    assert Platform.values == [s.code for s in PLATFORMS]
    assert len(set(Platform.values)) == len(PLATFORMS)
    max_length = import_module("accounts.models").SocialAccount._meta.get_field("platform").max_length
    assert all(len(s.code) <= max_length for s in PLATFORMS)


@SPECS
def test_a_connector_module_registers_the_platform(spec: PlatformSpec):
    module = import_module(f"ingestion.connectors.{spec.module}")
    connector = REGISTRY[spec.code]
    assert issubclass(connector, Connector)
    assert connector.platform == spec.code
    assert connector.__module__ == module.__name__


@SPECS
def test_a_sandbox_module_serves_the_platform(spec: PlatformSpec):
    module = import_module(f"ingestion.sandbox.{spec.module}")
    assert module in server.PLATFORMS
    assert spec.code == module.NAME
    assert module.PREFIXES
    assert all(server.platform_for(prefix + "x") is module for prefix in module.PREFIXES)
    assert callable(module.handle)
    assert callable(module.error)
    # The sandbox answers the fault kinds every module must render in its own shape.
    assert {"token_expired", "rate_limit", "busy", "bad_request"} <= set(module.ERRORS)
    assert spec.api_base_setting in server.api_bases("http://127.0.0.1:1")


@SPECS
def test_settings_hold_the_base_url(spec: PlatformSpec):
    assert getattr(settings, spec.api_base_setting).startswith("http")
    base_source = (ROOT / "socialmetrics" / "settings" / "base.py").read_text()
    assert re.search(rf'^{spec.api_base_setting} = env\("{spec.api_base_setting}"', base_source, re.M)


@SPECS
def test_labels_colours_and_locale(spec: PlatformSpec):
    assert str(Platform(spec.code).label) == str(spec.label)
    assert re.fullmatch(r"#[0-9A-F]{6}", spec.color)
    assert PLATFORM_COLORS[spec.code] == spec.color
    css = (ROOT / "static" / "css" / "app.css").read_text()
    assert f"--{spec.code}: {spec.color};" in css
    assert f".p-{spec.code} {{ --p: var(--{spec.code}); }}" in css
    po = (ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text()
    assert f'msgid "{spec.label}"' in po, f"no English translation of {spec.label}"
    assert PLATFORM_NATIVE[spec.code]
    assert all(name in METRICS for name in PLATFORM_NATIVE[spec.code])


@SPECS
def test_credentials_and_the_demo_account(spec: PlatformSpec):
    credentials = demo_credentials(spec.code, spec.demo_external_id)
    assert set(spec.credential_keys) <= set(credentials)
    assert (spec.code, spec.demo_external_id, spec.demo_name) in demo.DEMO_ACCOUNTS
    assert (spec.code in demo.SNAPSHOT_PLATFORMS) == spec.snapshot


def test_the_contract_documents_every_platform():
    docs = (ROOT / "docs" / "PLATFORMS-kuaishou-channels.md").read_text()
    for spec in PLATFORMS:
        assert f"`{spec.code}`" in docs
