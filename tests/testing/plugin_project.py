"""A user's test project for pytester: the ini settings and conftest a user would have.

Hypothesis's plugin is switched off in these inner runs: it imports all of hypothesis on
every run (pytester forgets modules between runs), which is slow and not what we test.
"""

from __future__ import annotations

import pytest

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
filterwarnings = error
addopts = --strict-markers -p no:hypothesispytest -p no:cacheprovider
{extra}
"""

CONFTEST = '''
import pytest
import urllib3

from emulator.core.documents import make_pdf


@pytest.fixture
def break_contract(fax_emulator):
    """Record a contract violation the way the emulator does when a client breaks one."""
    def record(**fields):
        emulator = fax_emulator.emulator
        emulator.call(lambda: emulator.runtime.journal.violation(**fields))
    return record


@pytest.fixture
def send_callerip(fax_emulator):
    """The application under test: sends a fax over CallerIP with a synchronous client."""
    def send(number="2125550100", name="default"):
        token = fax_emulator.credentials("callerip", name).token
        fields = {"token": token, "number": number, "file": ("fax.pdf", make_pdf(1), "application/pdf")}
        with urllib3.PoolManager() as http:
            response = http.request("POST", fax_emulator.base_url("callerip") + "/send", fields=fields)
        assert response.status == 200, response.data
        return response.json()["uuid"]
    return send
'''


def make_project(pytester: pytest.Pytester, ini: str = "") -> pytest.Pytester:
    pytester.makefile(".ini", pytest=INI.format(extra=ini))
    pytester.makeconftest(CONFTEST)
    return pytester
