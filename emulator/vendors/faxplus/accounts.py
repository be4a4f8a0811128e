"""FAX.PLUS accounts, users and fax numbers (faxplus.md §3.5, §3.6, §5.5, §5.6).

A tenant is one FAX.PLUS account, made on first use. An individual account has one user;
a corporate account has its admin and ``MEMBERS`` members. Every user's id (32 hex) and
fax number are derived from the tenant id by a hash, so they are the same on every run
and a test can know them in advance. The account owns every number; each user has one
assigned to it. ``self`` in a path is the caller; another user id is allowed only to a
corporate admin, and only for users of its own account.
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass, field
from typing import TYPE_CHECKING, Any

from emulator.core.errors import Forbidden, Invalid, NotFound
from emulator.core.store import Tenant

if TYPE_CHECKING:
    from emulator.core.services import Services
    from emulator.core.store import Tenant

VENDOR = "faxplus"
CORPORATE_PREFIX = "corp_admin_"  # a tenant (token) starting with this is a corporate account
MEMBERS = 2  # members of every corporate account
START_BALANCE = 100.0
CURRENCY = "USD"
NUMBER_YEAR = 365 * 86400.0  # a number is acquired for a year
_AREAS = ("212", "415", "646", "718", "917", "305", "312", "617")

INDIVIDUAL, ADMIN, MEMBER = "individual", "corporate_admin", "corporate_member"


@dataclass(slots=True, repr=False, eq=False)
class Identity:
    """Who is calling: the account (tenant), the user and the token's scopes (None: all)."""

    tenant: str
    uid: str
    role: str
    scopes: frozenset[str] | None = None


@dataclass(slots=True, repr=False, eq=False)
class User:
    """One FAX.PLUS user; the JSON-shaped parts are kept as the Account model spells them."""

    uid: str
    key: str  # "self" (individual), "admin" or "member<N>"
    account_type: str
    created_at: float
    name: str
    lastname: str
    email: str
    phone: str
    profile_image: str = ""
    status: str = "active"
    member_of: list[str] = field(default_factory=list)
    account_data: dict[str, Any] = field(default_factory=dict)
    notifications: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    quota: int = 100
    role: str = ""


@dataclass(slots=True, repr=False, eq=False)
class Number:
    """A fax number the account owns, and the users it is assigned to."""

    id: str
    number: str
    owner_id: str
    assigned_to: list[str]
    acquired_at: float
    expires_at: float
    is_canceled: bool = False


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join((VENDOR, *parts)).encode()).hexdigest()


def uid_for(tenant_id: str, key: str) -> str:
    """The stable 32-hex user id of user ``key`` of account ``tenant_id``."""
    return _digest(tenant_id, key)[:32]


def number_for(tenant_id: str, key: str) -> str:
    """A stable +1 number for a user; never ends in a magic-number suffix (…7xxxxxx)."""
    value = int(_digest(tenant_id, key, "number"), 16)
    return f"+1{_AREAS[value % len(_AREAS)]}7{value // 8 % 1_000_000:06d}"


def is_corporate(tenant_id: str) -> bool:
    """Whether an undeclared account is corporate: its name has the corporate prefix."""
    return tenant_id.startswith(CORPORATE_PREFIX)


def _corporate(runtime: Services, tenant_id: str) -> bool:
    """Whether an account is corporate: as declared (``auth.check_accounts``), else by its name."""
    declared = next((a for a in runtime.accounts.get(VENDOR, ()) if a["account"] == tenant_id), None)
    if declared is not None:
        return declared["type"] != INDIVIDUAL
    return is_corporate(tenant_id)


def _notifications(email: str) -> dict[str, Any]:
    flags = {"low_credit": True, "new_feature": False, "receive_fax": True, "send_fax": True, "voicemail": False}
    return {
        "black_list": {"uids": []},
        "settings": {
            "email": {
                "addresses": [email],
                **flags,
                "attachments": {"confirmation_page": False, "receive_fax": True, "send_fax": False},
            },
            "language": "en",
            "push_notifications": dict(flags),
            "sms": {"numbers": [], **{k: False for k in flags}},
        },
    }


def _user(tenant_id: str, key: str, account_type: str, now: float, company: str, admin_uid: str | None) -> User:
    uid = uid_for(tenant_id, key)
    name, lastname = {"self": ("Emulated", "User"), "admin": ("Corporate", "Admin")}.get(
        key, ("Member", key.removeprefix("member"))
    )
    email = f"{key}.{uid[:8]}@fax-emulator.test"
    role = {INDIVIDUAL: "", ADMIN: "admin", MEMBER: "member"}[account_type]
    return User(
        uid=uid,
        key=key,
        account_type=account_type,
        created_at=now,
        name=name,
        lastname=lastname,
        email=email,
        phone=number_for(tenant_id, key),
        member_of=[admin_uid] if admin_uid else [],
        account_data={
            "company_name": company,
            "company_logo": "",
            "role": role,
            "default_file_type": "pdf",
            "save_history": True,
            "deactivation_reason": "",
        },
        notifications=_notifications(email),
        settings={
            "caller_id_name": "",
            "options": {},
            "send_fax": {"retry": {"count": 0, "delay": 0}},
            "should_enhance": False,
        },
        role=role,
    )


def ensure(runtime: Services, tenant_id: str) -> Tenant:
    """The account of ``tenant_id``, with its users, numbers and balance made on first use."""
    tenant = runtime.store.find_tenant(VENDOR, tenant_id)
    if tenant is not None and "main_uid" in tenant.settings:  # every request after the first
        return tenant
    tenant = runtime.tenant(VENDOR, tenant_id)
    if not users(tenant):
        _make(runtime, tenant, runtime.now())
    return tenant


def _make(runtime: Services, tenant: Tenant, now: float) -> None:
    """Give a new account its users, numbers and balance (all derived from its id)."""
    tenant_id = tenant.id
    if _corporate(runtime, tenant_id):
        company = tenant_id.removeprefix(CORPORATE_PREFIX)
        admin = _user(tenant_id, "admin", ADMIN, now, company, None)
        made = [admin] + [
            _user(tenant_id, f"member{n}", MEMBER, now, company, admin.uid) for n in range(1, MEMBERS + 1)
        ]
    else:
        admin = _user(tenant_id, "self", INDIVIDUAL, now, "", None)
        made = [admin]
    tenant.settings["main_uid"] = admin.uid
    tenant.settings["balance"] = START_BALANCE
    for user in made:
        users(tenant)[user.uid] = user
        add_number(tenant, user.phone, user.uid, now)


def owns(runtime: Services, tenant: Tenant) -> bool:
    """Whether the account holds anything ``_make`` would not make again the same: a fax, a
    file, a webhook, a bought number, a spent balance, an edited user or number."""
    if tenant.faxes or any(items for name, items in tenant.collections.items() if name not in ("users", "numbers")):
        return True
    made = users(tenant)
    if not made:
        return bool(tenant.settings)
    again = Tenant(VENDOR, tenant.id, tenant.created_at)
    _make(runtime, again, main_user(tenant).created_at)
    return (
        again.settings != tenant.settings
        or _fields(users(again)) != _fields(made)
        or _fields(numbers(again)) != _fields(numbers(tenant))
    )


def _fields(items: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    return [(key, astuple(item)) for key, item in items.items()]


def add_number(tenant: Tenant, number: str, uid: str, now: float) -> Number:
    """Give the account ``number`` (owned by its main user) assigned to user ``uid``."""
    found = Number(_digest(tenant.id, number)[:24], number, tenant.settings["main_uid"], [uid], now, now + NUMBER_YEAR)
    numbers(tenant)[number] = found
    return found


def identity(tenant: Tenant, key: str, scopes: frozenset[str] | None) -> Identity:
    """The identity of the account's user ``key`` (``self``, ``admin``, ``member<N>``) with ``scopes``."""
    user = next(u for u in users(tenant).values() if u.key == key)
    return Identity(tenant.id, user.uid, user.account_type, scopes)


def users(tenant: Tenant) -> dict[str, User]:
    return tenant.collection("users")


def numbers(tenant: Tenant) -> dict[str, Number]:
    return tenant.collection("numbers")


def main_user(tenant: Tenant) -> User:
    """The individual user, or the corporate admin."""
    return users(tenant)[tenant.settings["main_uid"]]


def resolve(tenant: Tenant, caller: Identity, user_id: str) -> User:
    """The user a ``{user_id}`` path segment names, as the caller may see it (§2)."""
    if user_id in ("self", caller.uid):
        return users(tenant)[caller.uid]
    if caller.role != ADMIN:
        raise Forbidden("only a corporate admin may act on another user", code="forbidden")
    found = users(tenant).get(user_id)
    if found is None:
        raise NotFound(f"user {user_id} is not a member of this account")
    return found


def require_admin(caller: Identity) -> None:
    if caller.role != ADMIN:
        raise Forbidden("only a corporate admin may do this", code="forbidden")


def require_owner(caller: Identity) -> None:
    """The account's own user (individual or corporate admin); members may not."""
    if caller.role == MEMBER:
        raise Forbidden("a corporate member may not do this; ask the corporate admin", code="forbidden")


def members(tenant: Tenant) -> list[User]:
    """The non-admin members of a corporate account (empty for an individual)."""
    return [u for u in users(tenant).values() if u.account_type == MEMBER]


def visible_numbers(tenant: Tenant, user: User) -> list[Number]:
    """The numbers a user's ``/numbers`` lists: all of the account's for its owner, else assigned ones."""
    if user.uid == tenant.settings["main_uid"]:
        return list(numbers(tenant).values())
    return [n for n in numbers(tenant).values() if user.uid in n.assigned_to]


def find_number(tenant: Tenant, user: User, number: str) -> Number:
    found = next((n for n in visible_numbers(tenant, user) if n.number == number), None)
    if found is None:
        raise NotFound(f"number {number} not found")
    return found


def may_send_from(tenant: Tenant, user: User, number: str) -> bool:
    """A user sends from numbers assigned to it; the account owner from any of its numbers."""
    found = numbers(tenant).get(number)
    return found is not None and (user.uid in found.assigned_to or user.uid == tenant.settings["main_uid"])


def assign(tenant: Tenant, number: Number, uid: str) -> None:
    """Assign ``number`` to user ``uid`` of the same account (validated first)."""
    if uid not in users(tenant):
        raise Invalid(f"assigned_to: {uid} is not a user of this account", field="assigned_to")
    if uid not in number.assigned_to:
        number.assigned_to.append(uid)


def revoke(tenant: Tenant, number: Number, user: User) -> None:
    """Unassign ``number`` from a member; from the admin's own path, from every member (§3.6)."""
    admin = tenant.settings["main_uid"]
    if user.uid == admin:
        number.assigned_to[:] = [u for u in number.assigned_to if u == admin]
    else:
        number.assigned_to.remove(user.uid)  # find_number showed it is assigned to this member


def owner_of_number(runtime: Services, number: str) -> tuple[Tenant, Number] | None:
    """The FAX.PLUS account that owns ``number``, if any."""
    for (vendor, _), tenant in runtime.store.tenants.items():
        if vendor == VENDOR and number in numbers(tenant):
            return tenant, numbers(tenant)[number]
    return None


def recipient(tenant: Tenant, number: Number) -> User:
    """Who an inbound fax to ``number`` belongs to: its member if assigned to one, else the owner."""
    admin = tenant.settings["main_uid"]
    uid = next((u for u in number.assigned_to if u != admin), admin)
    return users(tenant)[uid]


def update(user: User, body: dict[str, Any]) -> None:
    """Apply a checked ``PayloadAccountModification``: fields replace, nested objects merge."""
    for name in ("name", "lastname", "email", "phone", "profile_image"):
        if name in body:
            setattr(user, name, body[name])
    user.account_data.update(body.get("account_data", {}))
    user.settings.update(body.get("settings", {}))
    if "notifications" in body:
        user.notifications = body["notifications"]


def update_member(user: User, body: dict[str, Any]) -> None:
    """Apply a checked ``MemberDetail``."""
    user.quota = body.get("quota", user.quota)
    user.role = body.get("role", user.role)
