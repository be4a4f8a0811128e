"""Snapshots: everything an emulator holds as one versioned JSON document, and back.

``export(runtime)`` is what ``GET /_emulator/state`` answers and what the data file keeps
(core/persist.py); ``restore(runtime, data)`` is ``PUT /_emulator/state``: the document is
read and checked whole first (``stage``: a bad one is ``Invalid`` with where and why, and
the running state is untouched), then it replaces the state (``apply``).

What it holds (README "State snapshots"): faxes with their vendor records, history and
documents (base64), when each fax's timer goes off (emulated time), webhook deliveries with
their attempts and schedule, tenants with their collections and settings, declared accounts
and vendor options, the scenarios in force with their counters, seeded draws and inbound
arrivals to come, the clock, where the id streams stand (ids continue, never repeat), the
journal and the captured e-mails. Not held: coverage counts and the event stream's numbering
(both start again), cached renderings (made again on the first ask).
"""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING, Any

from emulator.core import clock as clock_module
from emulator.core import ids as ids_module
from emulator.core.codec import CodecError, decode, encode
from emulator.core.errors import EmulatorError, Invalid
from emulator.core.outcomes import Result
from emulator.core.scenarios.manager import Decision
from emulator.core.store import Fax, Tenant, fax_from_data
from emulator.core.webhooks import Delivery

if TYPE_CHECKING:
    from emulator.core.runtime import Runtime
    from emulator.core.scenarios.model import Scenario

FORMAT = "fax-emulator/state"
VERSION = 1

_KEYS = (
    "clock",
    "ids",
    "accounts",
    "options",
    "tenants",
    "faxes",
    "deliveries",
    "scenarios",
    "journal",
    "emails",
)


def export(runtime: Runtime) -> dict[str, Any]:
    """The state of ``runtime`` as JSON-able data (see the module)."""
    store = runtime.store
    return {
        "format": FORMAT,
        "version": VERSION,
        "clock": runtime.clock.state(),
        "ids": encode(runtime.ids.state()),
        "accounts": encode(dict(runtime.accounts)),
        "options": encode(options(runtime)),
        "tenants": [tenant_data(tenant) for tenant in store.tenants.values()],
        "faxes": [fax_data(runtime, fax) for fax in store.all_faxes()],
        "deliveries": encode(runtime.dispatcher.state()),
        "scenarios": encode(runtime.scenarios.state()),
        "journal": encode(runtime.journal.state()),
        "emails": encode(runtime.mailbox.state()),
    }


def options(runtime: Runtime) -> dict[str, dict[str, Any]]:
    """Every vendor's options that has some."""
    return {name: runtime.options[name] for name, vendor in runtime.vendors.items() if vendor.check_options}


def tenant_data(tenant: Tenant) -> dict[str, Any]:
    """One tenant as data, without its faxes (each fax names its tenant)."""
    return {
        "vendor": tenant.vendor,
        "id": tenant.id,
        "created_at": tenant.created_at,
        "collections": encode(tenant.collections),
        "settings": encode(tenant.settings),
    }


# -- faxes -------------------------------------------------------------------------------
def fax_data(runtime: Runtime, fax: Fax) -> dict[str, Any]:
    """One fax as data (``Fax.to_data``; the codec tags its documents' bytes), with when its
    timer goes off, what it does then, and what the engine had decided of the running attempt."""
    entry = fax_entry(runtime, fax)
    entry["fax"] = encode(entry["fax"])
    return entry


def fax_entry(runtime: Runtime, fax: Fax) -> dict[str, Any]:
    """``fax_data`` with the fax as ``Fax.to_data`` gives it: its documents' bytes still bytes
    (the data file keeps them apart from the JSON)."""
    return {"fax": fax.to_data(), "timer": _timer_data(runtime, fax)}


def _timer_data(runtime: Runtime, fax: Fax) -> dict[str, Any] | None:
    run = runtime.engine.run_of(fax)
    timer: Any = run.timer if run is not None else None
    if run is None or timer is None or timer.cancelled:
        return None
    if runtime.engine.leaves(fax):
        pending, decision = run.pending, run.decision
        return {
            "due": timer.due,
            "call": "leave",
            "pending": pending.to_data() if pending is not None else None,
            "decision": _decision_data(decision),
        }
    # a vendor's own timer (an inbound fax that ends on the clock): its function and arguments
    action = timer.action
    args = [{"$fax": True} if a is fax else {"$runtime": True} if a is runtime else encode(a) for a in timer.args]
    return {"due": timer.due, "call": f"{action.__module__}:{action.__qualname__}", "args": args}


def _decision_data(decision: object) -> Any:
    """The policy's decision for a running attempt: a scenario's ``Decision`` written out (most
    faxes in flight have one), anything else through the codec."""
    if isinstance(decision, Decision):
        return {"attempt": decision.attempt, "result": decision.result.to_data(), "delays": decision.delays}
    return encode(decision)


def _decision(data: Any, where: str) -> object:
    if isinstance(data, dict) and "attempt" in data:
        return Decision(data["attempt"], Result.from_data(data["result"]), dict(data["delays"]))
    return decode(data, where)


def _fax(runtime: Runtime, entry: Any, where: str) -> tuple[Fax, dict[str, Any] | None]:
    if not isinstance(entry, dict) or "fax" not in entry:
        raise CodecError(f"{where}: expected an object with fax and timer")
    data = decode(entry["fax"], f"{where}.fax")
    if not isinstance(data, dict):
        raise CodecError(f"{where}.fax: not a fax")
    if data.get("vendor") not in runtime.vendors:
        raise CodecError(f"{where}.fax: unknown vendor {data.get('vendor')!r}")
    try:
        fax = fax_from_data(data, runtime.vendors)
    except (KeyError, TypeError, ValueError) as exc:
        raise CodecError(f"{where}.fax: not a fax ({exc!r})") from None
    return fax, _timer(entry.get("timer"), where)


def _packed(runtime: Runtime, entries: list[Any]) -> list[tuple[Fax, dict[str, Any] | None]]:
    """The faxes the data file read packed (``PackedFax``), each as ``(fax, due, timer)``: the
    timer's data (the same object for the faxes whose timers the file holds alike: the engine's
    timers, whose decisions nothing changes, are read once for them all) and when it is due."""
    vendors = runtime.vendors
    timers: dict[int, dict[str, Any]] = {}  # id(timer data) -> it read
    faxes: list[tuple[Fax, dict[str, Any] | None]] = []
    for i, (fax, due, timer) in enumerate(entries):
        if fax.vendor not in vendors:
            raise CodecError(f"faxes[{i}].fax: unknown vendor {fax.vendor!r}")
        if timer is not None:
            read = timers.get(id(timer))
            if read is None or read["call"] != "leave":  # (a vendor's timer's arguments are its fax's own)
                read = timers[id(timer)] = _timer_of({**timer, "due": due}, f"faxes[{i}]")
            elif not isinstance(due, int | float):
                raise CodecError(f"faxes[{i}].timer: expected an object with due and call")
            timer = {**read, "due": due}
        faxes.append((fax, timer))
    return faxes


def _timer(timer: Any, where: str) -> dict[str, Any] | None:
    """A fax's timer (``_timer_data``) read back, if it has one."""
    return _timer_of(timer, where) if timer is not None else None


def _timer_of(timer: Any, where: str) -> dict[str, Any]:
    """A timer (``_timer_data``) read back: the engine's, or a vendor's function to call."""
    if not (isinstance(timer, dict) and isinstance(timer.get("due"), int | float) and "call" in timer):
        raise CodecError(f"{where}.timer: expected an object with due and call")
    if timer["call"] == "leave":
        pending = timer.get("pending")
        return {
            **timer,
            "pending": Result.from_data(pending) if pending is not None else None,
            "decision": _decision(timer.get("decision"), f"{where}.timer.decision"),
        }
    timer = {**timer, "function": _function(timer["call"], f"{where}.timer")}
    timer["args"] = [  # (each a fax or the runtime, put back by _resume, or a value)
        a if isinstance(a, dict) and ("$fax" in a or "$runtime" in a) else decode(a, f"{where}.timer.args")
        for a in timer.get("args", [])
    ]
    read: dict[str, Any] = timer
    return read


def _function(name: Any, where: str) -> Any:
    """A function of the emulator named ``module:qualname`` (what a vendor's timer calls)."""
    if isinstance(name, str) and name.startswith("emulator.") and ":" in name:
        module_name, _, qualname = name.partition(":")
        found: Any = sys.modules.get(module_name)
        for part in qualname.split("."):
            found = getattr(found, part, None)
        if callable(found) and not isinstance(found, type) and getattr(found, "__module__", None) == module_name:
            return found
    raise CodecError(f"{where}: {name!r} is not a function of the emulator")


def _resume(runtime: Runtime, fax: Fax, timer: dict[str, Any] | None) -> None:
    if timer is None or fax.terminal:
        return
    if timer["call"] == "leave":
        run = runtime.engine.resume(fax, timer["due"])
        run.pending, run.decision = timer["pending"], timer["decision"]
        return
    args = [fax if a == {"$fax": True} else runtime if a == {"$runtime": True} else a for a in timer["args"]]
    runtime.engine.schedule(fax, timer["due"], timer["function"], *args)


# -- restoring -----------------------------------------------------------------------------
@dataclasses.dataclass
class Staged:
    """A snapshot read and checked whole, ready to replace the state (``apply``)."""

    clock: dict[str, Any]
    ids: dict[str, Any]
    accounts: dict[str, list[dict[str, Any]]]
    options: dict[str, dict[str, Any]]
    tenants: list[Tenant]
    faxes: list[tuple[Fax, dict[str, Any] | None]]
    deliveries: dict[str, Any]
    scenarios: dict[str, Any]
    loaded: list[tuple[dict[str, Any], Scenario]]
    journal: dict[str, Any]
    emails: dict[str, Any]


async def restore(runtime: Runtime, data: Any) -> dict[str, int]:
    """Replace the state of ``runtime`` with the snapshot ``data``; Invalid (with why, and
    nothing changed) if it is not one this emulator can take. Returns what it now holds."""
    staged = await stage(runtime, data)
    apply(runtime, staged)
    return {"faxes": len(staged.faxes), "tenants": len(staged.tenants), "deliveries": len(runtime.dispatcher.pending)}


async def stage(runtime: Runtime, data: Any, *, packed: bool = False) -> Staged:
    """Read and check a snapshot whole without changing anything (Invalid: where and why).
    ``packed``: each of its faxes is already a fax (``PackedFax``, the data file's) beside its
    timer as data, ``(fax, due, timer)``, and its journal's entries are read already."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise Invalid(f"not a snapshot: expected an object whose format is {FORMAT!r}", field="format")
    if data.get("version") != VERSION:
        raise Invalid(
            f"snapshot version {data.get('version')!r} is not one this emulator reads (it reads {VERSION})",
            field="version",
        )
    missing = [key for key in _KEYS if key not in data]
    if missing:
        raise Invalid(f"the snapshot has no {missing[0]}", field=missing[0])
    try:
        staged = _decoded(runtime, data, packed)
    except (CodecError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise Invalid(f"the snapshot cannot be loaded: {_why(exc)}") from None
    staged.loaded = await _load_scenarios(runtime, staged.scenarios)
    return staged


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"{exc.args[0]!r} is missing"
    return str(exc) or type(exc).__name__


def _decoded(runtime: Runtime, data: dict[str, Any], packed: bool) -> Staged:
    clock = clock_module.check_state(data["clock"], runtime.clock)
    ids = ids_module.check_state(decode(data["ids"], "ids"))
    accounts = _checked(runtime, decode(data["accounts"], "accounts"), "accounts")
    options = _checked(runtime, decode(data["options"], "options"), "options")
    tenants = [_tenant(raw, f"tenants[{i}]") for i, raw in enumerate(_list(data["tenants"], "tenants"))]
    known = {(t.vendor, t.id) for t in tenants}
    listed = _list(data["faxes"], "faxes")
    faxes = _packed(runtime, listed) if packed else [_fax(runtime, raw, f"faxes[{i}]") for i, raw in enumerate(listed)]
    owners = {(fax.vendor, fax.tenant) for fax, _ in faxes}
    fax_ids = {fax.id for fax, _ in faxes}
    aliases = [alias for fax, _ in faxes if fax.aliases for alias in fax.aliases]
    distinct = len(fax_ids) == len(faxes) and len(set(aliases)) == len(aliases) and fax_ids.isdisjoint(aliases)
    if not owners <= known or not distinct:  # (sets first: a file of 100,000 faxes comes here)
        _name_the_misfit(faxes, known)
    deliveries = decode(data["deliveries"], "deliveries")
    if not (isinstance(deliveries, dict) and all(isinstance(d, Delivery) for d in deliveries.get("deliveries", ()))):
        raise CodecError("deliveries: expected the dispatcher's deliveries")
    for name in ("logged_from", "next_id", "refused", "schedule"):
        if name not in deliveries:
            raise CodecError(f"deliveries: no {name}")
    scenarios = decode(data["scenarios"], "scenarios")
    journal = decode(data["journal"], "journal") if not packed else _journal(data["journal"])
    emails = decode(data["emails"], "emails")
    for name, part, needed in (
        ("scenarios", scenarios, ("global", "tenants", "accounts_before")),
        ("journal", journal, ("requests", "violations", "next_seq", "next_violation", "dropped", "last_violation")),
        ("emails", emails, ("emails", "next_id")),
    ):
        if not isinstance(part, dict) or any(key not in part for key in needed):
            raise CodecError(f"{name}: expected an object with {', '.join(needed)}")
    return Staged(clock, ids, accounts, options, tenants, faxes, deliveries, scenarios, [], journal, emails)


def _name_the_misfit(faxes: list[tuple[Fax, Any]], known: set[tuple[str, str]]) -> None:
    """CodecError naming the first fax whose tenant is not in the snapshot or whose id is
    another fax's too."""
    ids_seen: set[str] = set()
    for i, (fax, _) in enumerate(faxes):
        if (fax.vendor, fax.tenant) not in known:
            raise CodecError(f"faxes[{i}]: its tenant {fax.vendor}/{fax.tenant} is not in tenants")
        for key in (fax.id, *fax.aliases):
            if key in ids_seen:
                raise CodecError(f"faxes[{i}]: the id {key!r} is another fax's too")
            ids_seen.add(key)


def _journal(raw: Any) -> Any:
    """A data file's journal: its entries read already (``journal.entries_from_json``), the rest as a snapshot's."""
    if not isinstance(raw, dict) or not isinstance(raw.get("requests"), list):
        raise CodecError("journal: expected an object with requests")
    journal = decode({**raw, "requests": []}, "journal")
    journal.pop("first", None)  # (the file's own bookkeeping)
    return {**journal, "requests": raw["requests"]}


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise CodecError(f"{where}: expected a list")
    return value


def _tenant(raw: Any, where: str) -> Tenant:
    if not isinstance(raw, dict):
        raise CodecError(f"{where}: expected an object")
    vendor, tenant_id, created = raw.get("vendor"), raw.get("id"), raw.get("created_at")
    if not (isinstance(vendor, str) and isinstance(tenant_id, str) and isinstance(created, int | float)):
        raise CodecError(f"{where}: expected vendor, id and created_at")
    collections = decode(raw.get("collections", {}), f"{where}.collections")
    settings = decode(raw.get("settings", {}), f"{where}.settings")
    if not (isinstance(collections, dict) and all(isinstance(c, dict) for c in collections.values())):
        raise CodecError(f"{where}.collections: expected an object of objects")
    if not isinstance(settings, dict):
        raise CodecError(f"{where}.settings: expected an object")
    return Tenant(vendor, tenant_id, float(created), collections=collections, settings=settings)


def _checked(runtime: Runtime, raw: Any, what: str) -> dict[str, Any]:
    """A snapshot's ``accounts`` or ``options``: vendor -> value, each checked by its vendor
    (``Vendor.check_accounts`` / ``check_options``)."""
    if not isinstance(raw, dict):
        raise CodecError(f"{what}: expected an object of vendor -> {what}")
    checked = {}
    for name, value in raw.items():
        vendor = runtime.vendors.get(name)
        check = getattr(vendor, f"check_{what}", None)
        if check is None:
            raise CodecError(f"{what}.{name}: {name} has no {what}")
        try:
            checked[name] = check(value)
        except EmulatorError as exc:
            raise CodecError(f"{what}.{name}: {exc.message}") from None
    return checked


async def _load_scenarios(runtime: Runtime, state: dict[str, Any]) -> list[tuple[dict[str, Any], Scenario]]:
    """Each scenario of a snapshot loaded again from its document, in the worker pool (as a
    posted scenario is), with the documents its inbound faxes read put back."""
    saved = ([state["global"]] if state["global"] is not None else []) + list(state["tenants"])
    if not saved:  # the reader imports YAML and JSON Schema: only when there is something to read
        return []
    import json

    from emulator.core.scenarios.load import load_text
    from emulator.core.scenarios.problems import ScenarioError

    loaded = []
    for i, entry in enumerate(saved):
        where = f"scenarios[{i}]"
        needed = ("document", "inbound_documents", "vendor", "tenant", "applied_at", "random", "counters", "arrivals")
        if not isinstance(entry, dict) or any(key not in entry for key in needed):
            raise Invalid(f"the snapshot cannot be loaded: {where}: expected {', '.join(needed)}")
        try:
            scenario = await runtime.work.run(
                load_text, json.dumps(entry["document"]), f"snapshot {where}", dict(runtime.vendors)
            )
        except ScenarioError as exc:
            raise Invalid(f"the snapshot cannot be loaded: {where}: {exc}") from None
        documents = entry["inbound_documents"]
        if len(documents) != len(scenario.inbound) or len(entry["counters"]) != len(scenario.rules):
            raise Invalid(f"the snapshot cannot be loaded: {where}: its counters do not fit its rules")
        inbound = tuple(
            dataclasses.replace(spec, document=doc) if doc is not None else spec
            for spec, doc in zip(scenario.inbound, documents, strict=True)
        )
        loaded.append((entry, dataclasses.replace(scenario, inbound=inbound)))
    return loaded


def apply(runtime: Runtime, staged: Staged) -> None:
    """Replace the state of ``runtime`` with a staged snapshot (nothing here refuses)."""
    runtime.scenarios.remove_all()
    runtime.reset()
    runtime.clock.restore(staged.clock)
    runtime.ids.restore(staged.ids)
    runtime.accounts.clear()
    runtime.accounts.update(staged.accounts)
    runtime.options.update(staged.options)
    runtime.store.load(staged.tenants, [fax for fax, _ in staged.faxes])
    for fax, timer in staged.faxes:
        if timer is not None and runtime.store.get(fax.id) is fax:  # (retention may have let it go)
            _resume(runtime, fax, timer)
    runtime.dispatcher.restore(staged.deliveries)
    runtime.scenarios.restore(staged.scenarios, staged.loaded)
    runtime.journal.restore(staged.journal)
    runtime.mailbox.restore(staged.emails)
