"""static/vendor/plotly.min.js: the offline bundle the dashboards load (`make vendor-plotly` rebuilds it)."""

import re
from pathlib import Path

from django.conf import settings

BUNDLE = Path(settings.BASE_DIR) / "static" / "vendor" / "plotly.min.js"
# Links in licence comments and error messages, and XML namespaces: text, never fetched.
NOT_FETCHED = {"feross.org", "getify.mit-license.org", "syntheti.cc", "www.w3.org", "github.com", "plotly.com"}


def test_the_bundle_names_no_host_it_could_fetch_from():
    hosts = set(re.findall(r"https?://([a-zA-Z0-9.-]+)", BUNDLE.read_text()))
    assert hosts and hosts <= NOT_FETCHED, hosts - NOT_FETCHED


def test_the_bundle_draws_every_trace_type_the_figures_use():
    source = BUNDLE.read_text()
    assert "plotly.js (cartesian" in source[:200]
    used = set(re.findall(r"go\.(\w+)\(|add_(\w+)\(", (Path(settings.BASE_DIR) / "dashboards" / "figures.py").read_text()))
    types = {name.lower() for pair in used for name in pair if name and name not in ("Figure", "trace")}
    assert types == {"scatter", "bar", "heatmap"}
    for trace_type in types:
        assert f'moduleType:"trace",name:"{trace_type}"' in source, trace_type
