"""The Runtime: one emulator's clock, scheduler, store, engine, journal and dispatcher, and
``compose``, the one function that puts them together.

It is built once per application and hangs off the aiohttp app (``keys.RUNTIME``); vendor
handlers, the control API, the pytest plugin and the scenario runner all reach the
emulator through it. It knows vendors only through their ``Vendor`` specs.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from emulator.core.cache import Cache
from emulator.core.callers import Callers
from emulator.core.clock import ManualClock, RealClock, make_clock
from emulator.core.contract_checks import QUERIES, ContractChecker
from emulator.core.contracts import BODIES
from emulator.core.coverage import Universe, report
from emulator.core.errors import Conflict, Invalid
from emulator.core.events import Events
from emulator.core.exchange import Gate
from emulator.core.ids import Ids
from emulator.core.journal import Journal
from emulator.core.lifecycle import Engine
from emulator.core.mailbox import Mailbox
from emulator.core.pages import Pages
from emulator.core.policies import MAGIC_NUMBERS_OF, MagicNumberPolicy
from emulator.core.retention import Retention
from emulator.core.scenarios.manager import Scenarios
from emulator.core.scenarios.policy import ScenarioPolicy, decided_rule
from emulator.core.scheduler import Scheduler
from emulator.core.store import Fax, Store, Tenant
from emulator.core.vendor import Inbound, Vendor
from emulator.core.webhooks import Dispatcher
from emulator.core.work import Work

log = logging.getLogger(__name__)


class _Options(dict[str, dict[str, Any]]):
    """Vendor name -> options; a vendor's defaults (``check_options({})``) are made when first
    asked for: checking them may load JSON Schema, which start-up should not wait for."""

    def __init__(self, vendors: Iterable[Vendor]) -> None:
        super().__init__()
        self._checks = {v.name: v.check_options for v in vendors if v.check_options is not None}

    def __missing__(self, name: str) -> dict[str, Any]:
        check = self._checks.get(name)
        if check is None:
            raise KeyError(name)
        found = self[name] = check({})
        return found


@dataclass(repr=False, eq=False)
class Runtime:
    """Everything one running emulator holds, as ``compose`` made it. Vendors see it as
    their ``core.services.Services``; the control API, the pipeline and the pytest plugin
    see all of it."""

    config: Any
    #: what happens, for whoever listens (core/events.py); nothing is built while nobody does
    events: Events
    clock: RealClock | ManualClock
    scheduler: Scheduler
    ids: Ids
    store: Store
    journal: Journal
    checks: ContractChecker
    dispatcher: Dispatcher
    #: vendor name -> declared account dicts (shape checked by the vendor); an empty
    #: or missing list means any credential works and makes its own tenant
    accounts: dict[str, list[dict[str, Any]]]
    #: who each credential is, as the vendors' auth resolved it (while that still holds)
    callers: Callers
    #: the scenarios in force (global and per tenant)
    scenarios: Scenarios
    engine: Engine
    mailbox: Mailbox  # e-mails the vendors would send, captured
    #: worker processes for CPU-heavy work (parsing, rendering); started on first use
    work: Work
    #: every cache of the emulator (core/cache.py): fax views, memos, pages; emptied by ``reset``
    cache: Cache
    #: vendor name -> its option switches and declared data (complete, with defaults)
    options: dict[str, dict[str, Any]]
    vendors: dict[str, Vendor]
    #: the emulated time now: the clock's own method (one call, not two: every answer asks)
    now: Callable[[], float] = field(init=False)
    #: told after every reset (the data file then writes the whole state again)
    resets: list[Callable[[], None]] = field(default_factory=list)
    #: with ``--data``: returns once what ``request`` changed is on disk (core/persist.py);
    #: None keeps the state in memory only
    durable: Callable[[Any, str | None, Any], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        self.now = self.clock.now

    def tenant(self, vendor: str, tenant_id: str) -> Tenant:
        """The tenant, created on first use."""
        found = self.store.find_tenant(vendor, tenant_id)
        return found if found is not None else self.store.tenant(vendor, tenant_id, self.now())

    def submit(self, fax: Fax, gate: Gate | None) -> Fax:
        """Store a new outbound fax and start it on its vendor's machine.

        ``gate`` is the scenario gate of the request that makes it (``exchange.gate``): a
        fault rule on the destination (or tenant) may stop it first, before anything is
        stored (``ScriptedFault``).
        """
        if gate is not None:
            gate.submitting(fax)
        self.tenant(fax.vendor, fax.tenant)
        self.store.add(fax)
        return self.start(fax, gate)

    def start(self, fax: Fax, gate: Gate | None) -> Fax:
        """Start a stored fax on its vendor's machine; the rule that decided its first
        attempt goes to ``gate`` (the journal shows it with the request)."""
        run = self.engine.start(fax)
        if gate is not None:
            gate.decided(decided_rule(run))
        return fax

    def cancel(self, fax: Fax) -> None:
        """Cancel a fax that has not ended (Conflict if it cannot be)."""
        machine = self.engine.machines[fax.vendor]
        if machine.cancelled is None:
            raise Conflict(f"{self.vendors[fax.vendor].title} faxes have no cancelled state")
        if not self.engine.cancel(fax):
            raise Conflict(f"fax {fax.id} has already ended ({fax.status})")

    def vendor(self, name: str) -> Vendor:
        """The vendor called ``name`` (Invalid if there is none)."""
        found = self.vendors.get(name)
        if found is None:
            raise Invalid(f"unknown vendor {name!r}; expected one of {', '.join(self.vendors)}", field="vendor")
        return found

    def declare_accounts(self, vendor: str, accounts: Any) -> list[dict[str, Any]]:
        """Replace a vendor's declared accounts (checked by the vendor); [] accepts any credential."""
        spec = self.vendor(vendor)
        if spec.check_accounts is None:
            raise Conflict(f"{spec.title} has no declared accounts: any credential is its own tenant")
        if not isinstance(accounts, list):
            raise Invalid("accounts must be a list of objects", field="accounts")
        self.accounts[vendor] = spec.check_accounts(accounts)
        return self.accounts[vendor]

    def set_options(self, vendor: str, changes: Any) -> dict[str, Any]:
        """Change some of a vendor's options (checked by the vendor, all or nothing)."""
        spec = self.vendor(vendor)
        if spec.check_options is None:
            raise Conflict(f"{spec.title} has no options")
        if not isinstance(changes, dict):
            raise Invalid("options must be a JSON object")
        self.options[vendor] = spec.check_options({**self.options[vendor], **changes})
        return self.options[vendor]

    def receive(self, inbound: Inbound) -> Fax:
        """Make an inbound fax arrive through its vendor."""
        vendor = self.vendors.get(inbound.vendor)
        if vendor is None:
            raise Invalid(
                f"unknown vendor {inbound.vendor!r}; expected one of {', '.join(self.vendors)}", field="vendor"
            )
        if vendor.receive is None:
            raise Conflict(f"{vendor.title} has no inbound faxes")
        return vendor.receive(self, inbound)

    def coverage(self, vendor: str | None = None, tenant: str | None = None) -> dict[str, Any]:
        """What happened since start or reset against everything the vendors can do (core/coverage.py)."""
        return report(self.universes, self.events.tally, vendor, tenant)

    @property
    def universes(self) -> list[Universe]:
        return [
            Universe.of(
                v.name,
                v.title,
                v.operations,
                [str(s) for s in v.error_statuses],
                v.machine,
                v.webhook_events,
                v.receive is not None,
            )
            for v in self.vendors.values()
        ]

    def reset(self, vendor: str | None = None, tenant: str | None = None) -> int:
        """Forget everything (or one vendor's tenant); returns how many faxes went.

        Declared accounts and vendor options are configuration, not state: they stay.
        """
        dropped = self.store.reset(vendor, tenant)
        for fax in dropped:
            self.engine.stop(fax)
        self.journal.clear(vendor, tenant)
        self.mailbox.clear(vendor, tenant)
        self.dispatcher.clear(vendor, tenant)
        self.cache.clear()
        self.callers.forget()
        self.events.tally.clear(vendor, tenant)  # last: clearing the dispatcher ends deliveries
        for listener in self.resets:
            listener()
        if self.events.subscribers:
            self.events.publish(
                "reset", {"vendor": vendor, "tenant": tenant, "faxes_dropped": len(dropped)}, vendor, tenant
            )
        return len(dropped)


def compose(config: Any, vendors: Iterable[Vendor]) -> Runtime:
    """The one place an emulator is put together: each part made once, in order, with
    what it needs handed to it.

    Two edges point back at the whole, because what they call needs it: a vendor's
    ``on_transition`` and ``pre_dial`` hooks get the runtime (its ``Services``), and an
    inbound fax a scenario schedules arrives through ``Runtime.receive``. Both are bound
    here, last.
    """
    by_name = {vendor.name: vendor for vendor in vendors}
    clock = make_clock(config.clock, config.speed, config.start_time)
    events = Events(clock.now)
    scheduler = Scheduler(clock, events)
    scheduler.wait = config.advance_wait
    ids = Ids(config.seed)
    store = Store(Retention(config.retain_faxes, config.retain_document_bytes))
    store.on_change.append(events.fax)  # every change of a fax is a ``fax`` event
    journal = Journal(config.journal_size, events)
    work = Work(config.work)
    cache = Cache(Pages(work, held=store.holds))
    checks = ContractChecker(
        journal,
        clock,
        config.strict,
        cache.memos[QUERIES],
        cache.memos[BODIES],
    )
    accounts: dict[str, list[dict[str, Any]]] = {}

    def receive(inbound: Inbound) -> Fax:  # bound to the runtime made below
        return runtime.receive(inbound)

    scenarios = Scenarios(
        ids=ids,
        clock=clock,
        scheduler=scheduler,
        store=store,
        events=events,
        accounts=accounts,
        vendors=by_name,
        receive=receive,
    )
    dispatcher = Dispatcher(
        scheduler,
        config.webhook_log_size,
        check=checks.check_webhook,
        max_pending=config.webhook_max_pending,
        hosts=config.webhook_hosts,
        events=events,
        shaper=scenarios.shape_webhook,
    )
    # decides outcomes and dwell times: the scenarios first, then the magic numbers
    magic_numbers = MagicNumberPolicy(cache.memos[MAGIC_NUMBERS_OF])
    engine = Engine(scheduler, ScenarioPolicy(scenarios, magic_numbers), events)
    engine.ended = store.ended
    engine.changed = store.changed
    runtime = Runtime(
        config=config,
        events=events,
        clock=clock,
        scheduler=scheduler,
        ids=ids,
        store=store,
        journal=journal,
        checks=checks,
        dispatcher=dispatcher,
        accounts=accounts,
        callers=Callers(store, accounts),
        scenarios=scenarios,
        engine=engine,
        mailbox=Mailbox(),
        work=work,
        cache=cache,
        options=_Options(by_name.values()),
        vendors=by_name,
    )
    store.forgot.append(events.tally.fold)
    store.on_forget.append(cache.forget)  # a fax retention let go is not kept alive by its views
    for vendor in by_name.values():
        if vendor.owns is not None:
            store.owns[vendor.name] = functools.partial(vendor.owns, runtime)
        hook, pre_dial = vendor.on_transition, vendor.pre_dial
        engine.register(
            vendor.name,
            vendor.machine,
            functools.partial(hook, runtime) if hook is not None else None,
            functools.partial(pre_dial, runtime) if pre_dial is not None else None,
        )
    return runtime
