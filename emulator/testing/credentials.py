"""Credentials for tests: one distinct, stable set per (test, vendor, name).

Every vendor on the emulator accepts any well-formed credential and makes it its own
tenant (account), so distinct credentials keep tests apart, even on a shared emulator.
One ``Credentials`` value carries each shape the vendors use; a test picks the one its
vendor client wants:

=========== ============================================================
FAX.PLUS    ``token`` as a personal access token (``Authorization: Bearer``; ``bearer_header``)
Kazoo       ``username``/``password`` with ``account`` for ``PUT /v2/user_auth``, or ``api_key`` (64 chars)
Imagicle    ``username``/``password`` (HTTP Basic; ``basic_auth``)
CallerIP    ``token`` as the fax token (a ``token`` form field / query parameter)
=========== ============================================================
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Credentials:
    """A distinct set of credentials, in every shape a vendor may ask for."""

    vendor: str
    token: str  # bearer token, fax token: any non-empty string, unless accounts are declared
    username: str
    password: str
    account: str  # an account name (Kazoo's ``account_name``)
    api_key: str  # 64 hex characters (Kazoo's ``PUT /v2/api_auth`` wants exactly 64)

    @property
    def bearer_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def basic_auth(self) -> tuple[str, str]:
        """``(username, password)``, as ``requests``/``httpx`` take ``auth=``."""
        return self.username, self.password

    @property
    def basic_header(self) -> dict[str, str]:
        pair = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}


def make_credentials(vendor: str, name: str = "default", namespace: str = "") -> Credentials:
    """The credentials of ``name`` for ``vendor`` within ``namespace`` (e.g. a test's node id).

    The same arguments always give the same credentials; different ones never collide.
    """
    digest = hashlib.sha256(f"{namespace}\x00{vendor}\x00{name}".encode()).hexdigest()
    short = digest[:12]
    label = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")[:32] or "user"
    return Credentials(
        vendor=vendor,
        token=f"fe-{vendor}-{label}-{short}",
        username=f"{label}-{short}",
        password=f"pw-{digest[12:28]}",
        account=f"account-{short}",
        api_key=digest,
    )
