"""Issue 22.6: every page works under the Content-Security-Policy (no inline script anywhere)."""

import pytest

from tests.browser.conftest import wait_until
from tests.dashboards.demo import demo_workspace

from .test_dashboards import login, wait_charts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""
PAGES = [
    ("/", 3),
    ("/platforms/?platform=douyin", None),
    ("/content/", None),
    ("/campaigns/", None),
    ("/data/", 0),
    ("/api/v1/accounts/", 0),
    ("/api/docs/", 0),
]


def test_pages_render_under_the_csp_with_no_violation(live_server, page, screenshot):
    user, _organization, _accounts = demo_workspace()
    page.context.add_init_script(RECORD_VIOLATIONS)
    login(page, live_server, user.username)
    for path, charts in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        if charts is None:
            assert wait_charts(page) > 0, path
        elif charts:
            assert wait_charts(page) == charts, path
        if path == "/api/docs/":
            page.locator(".swagger-ui .info").wait_for(timeout=15000)  # the split init script ran
            screenshot("csp_api_docs")
        assert page.evaluate("window.__csp") == [], path
    assert not [e for e in page.watch.console_errors if "Content Security Policy" in e]

    # The policy is really enforced: an injected inline script does not run, and is reported.
    page.goto(f"{live_server.url}/content/")
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.__ran = 1";
                              document.body.appendChild(s); }""")
    wait_until(page, "window.__csp.length > 0")
    assert page.evaluate("window.__ran") is None
    assert page.evaluate("window.__csp")[0].startswith("script-src")
    screenshot("csp_content")
