"""The scenarios in force on one emulator: one for everything, plus one per (vendor, tenant).

For a tenant, its own scenario's rules are checked first, then the global scenario's,
then the magic numbers. The manager answers the engine's questions (through
``ScenarioPolicy``), shapes webhook deliveries (``Dispatcher.shaper``), opens request
gates for the request pipeline, declares accounts and schedules inbound faxes.

The rule machinery (``active``, ``match``, ``gate``) is imported when a scenario is first
put in force or consulted: an emulator that never has one never loads it (start-up).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emulator.core.documents import letter
from emulator.core.errors import EmulatorError
from emulator.core.outcomes import Result
from emulator.core.policies import OutcomePolicy
from emulator.core.scenarios.problems import Problem, ScenarioError
from emulator.core.vendor import Inbound
from emulator.core.webhooks import Delivery, Shape

if TYPE_CHECKING:
    from emulator.core.clock import Clock
    from emulator.core.events import Events
    from emulator.core.ids import Ids
    from emulator.core.run import Run
    from emulator.core.scenarios.active import ActiveScenario
    from emulator.core.scenarios.gate import RequestGate
    from emulator.core.scenarios.match import Facts
    from emulator.core.scenarios.model import InboundSpec, Rule, Scenario
    from emulator.core.scheduler import Scheduler
    from emulator.core.store import Fax, Store
    from emulator.core.vendor import Vendor


@dataclass(slots=True, repr=False, eq=False)
class Decision:
    """What the scenario decided for one attempt of one fax (kept on the engine's run of it,
    ``Run.decision``)."""

    attempt: int
    result: Result
    delays: dict[str, float] = field(default_factory=dict)


class Scenarios:
    """The global scenario and the per-tenant ones, with their state."""

    def __init__(
        self,
        *,
        ids: Ids,
        clock: Clock,
        scheduler: Scheduler,
        store: Store,
        events: Events,
        accounts: dict[str, list[dict[str, Any]]],
        vendors: Mapping[str, Vendor],
        receive: Callable[[Inbound], Fax],
    ) -> None:
        self._ids, self._clock, self._scheduler, self._store, self._events = ids, clock, scheduler, store, events
        #: the emulator's declared accounts: a scenario's replace them while it is in force
        self._accounts = accounts
        self._vendors = vendors
        self._receive = receive  # makes an inbound fax arrive through its vendor (``Runtime.receive``)
        self.active: ActiveScenario | None = None
        self.tenants: dict[tuple[str, str], ActiveScenario] = {}
        #: is any scenario (global or of a tenant) in force? If not, requests skip the gate. An
        #: attribute every request reads, kept by ``apply`` and ``remove``, the only writers
        self.in_force = False
        self._accounts_before: dict[str, list[dict[str, Any]]] | None = None

    # -- applying ---------------------------------------------------------------------
    def apply(self, scenario: Scenario, vendor: str | None = None, tenant: str | None = None) -> ActiveScenario:
        """Put ``scenario`` in force (replacing the one in the same place); ScenarioError if it cannot be."""
        from emulator.core.scenarios.active import ActiveScenario

        if (vendor is None) != (tenant is None):
            raise ValueError("a tenant scenario needs both vendor and tenant")
        if vendor is not None:
            self._check_tenant_scenario(scenario, vendor)
        accounts = self._checked_accounts(scenario)
        seed = scenario.seed if scenario.seed is not None else self._ids.random.getrandbits(64)
        active = ActiveScenario(scenario, random.Random(seed), self._clock.now(), vendor, tenant)
        self._take_out(vendor, tenant)
        if vendor is None or tenant is None:
            self.active = active
            self._accounts_before = dict(self._accounts)
            self._accounts.update(accounts)
        else:
            self.tenants[(vendor, tenant)] = active
        self.in_force = True
        for spec in scenario.inbound:
            self._schedule(active, spec)
        self._changed(vendor, tenant)
        return active

    def remove(self, vendor: str | None = None, tenant: str | None = None) -> bool:
        """Take a scenario out of force; False if there was none there."""
        removed = self._take_out(vendor, tenant)
        if removed:
            self._changed(vendor, tenant)
        return removed

    def _changed(self, vendor: str | None, tenant: str | None) -> None:
        events = self._events
        if events.subscribers:
            events.publish(
                "scenario", {"vendor": vendor, "tenant": tenant, **self.to_json(vendor, tenant)}, vendor, tenant
            )

    def _take_out(self, vendor: str | None, tenant: str | None) -> bool:
        if vendor is None or tenant is None:
            active = self.active
            self.active = None
            if self._accounts_before is not None:
                self._accounts.clear()
                self._accounts.update(self._accounts_before)
                self._accounts_before = None
        else:
            active = self.tenants.pop((vendor, tenant), None)
        self.in_force = self.active is not None or bool(self.tenants)
        if active is None:
            return False
        for timer in active.timers:
            timer.cancel()
        return True

    def remove_all(self) -> None:
        """Back to the default: no global and no tenant scenario."""
        for vendor, tenant in list(self.tenants):
            self.remove(vendor, tenant)
        self.remove()

    def _check_tenant_scenario(self, scenario: Scenario, vendor: str) -> None:
        source = scenario.sources[0] if scenario.sources else "scenario"
        problems = [
            Problem(source, None, None, (key,), "applies to the whole emulator, not to one tenant")
            for key in ("accounts", "clock")
            if getattr(scenario, key)
        ]
        problems += [
            Problem(
                source,
                None,
                None,
                ("inbound", i, "vendor"),
                f"a {vendor} tenant scenario can only make {vendor} faxes arrive",
            )
            for i, spec in enumerate(scenario.inbound)
            if spec.vendor != vendor
        ]
        if problems:
            raise ScenarioError(problems)

    def _checked_accounts(self, scenario: Scenario) -> dict[str, list[dict[str, Any]]]:
        checked = {}
        problems = []
        source = scenario.sources[-1] if scenario.sources else "scenario"
        for name, accounts in scenario.accounts.items():
            vendor = self._vendors.get(name)
            # a vendor may normalise its accounts (``Vendor.check_accounts``, where it has one)
            check = getattr(vendor, "check_accounts", None)
            try:
                checked[name] = check(list(accounts)) if check is not None else list(accounts)
            except EmulatorError as exc:
                problems.append(Problem(source, None, None, ("accounts", name), exc.message))
        if problems:
            raise ScenarioError(problems)
        return checked

    def _schedule(self, active: ActiveScenario, spec: InboundSpec) -> None:
        start = spec.at_time if spec.at_time is not None else active.applied_at + spec.at
        for number in range(spec.count):
            timer = self._scheduler.at(start + number * spec.every, self._arrive, active, spec)
            active.timers.append(timer)

    def _arrive(self, active: ActiveScenario, spec: InboundSpec) -> None:
        document = spec.document or letter(spec.pages, spec.sender, spec.to, self._clock.now())
        tenant = spec.tenant if spec.tenant is not None else active.tenant
        self._receive(Inbound(spec.vendor, spec.to, spec.sender, tenant, document.pages, document, dict(spec.options)))

    # -- snapshots --------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The scenarios in force as data (snapshots): each as its document, with where its
        counters, seeded draws and inbound arrivals stand (``Scenarios.restore`` takes it back,
        once each document is loaded again)."""
        return {
            "global": None if self.active is None else _active_state(self.active),
            "tenants": [_active_state(active) for active in self.tenants.values()],
            "accounts_before": self._accounts_before,
        }

    def restore(self, state: dict[str, Any], loaded: list[tuple[dict[str, Any], Scenario]]) -> None:
        """Put back the scenarios of ``state()`` (after ``remove_all``); ``loaded`` pairs each
        one's state with its document loaded again, global first if there is one."""
        from emulator.core.scenarios.active import ActiveScenario

        for saved, scenario in loaded:
            vendor, tenant = saved["vendor"], saved["tenant"]
            seeded = random.Random()
            seeded.setstate(saved["random"])
            active = ActiveScenario(scenario, seeded, saved["applied_at"], vendor, tenant)
            for rule_state, (seen, used) in zip(active.states, saved["counters"], strict=True):
                rule_state.seen, rule_state.used = seen, used
            for index, due in saved["arrivals"]:
                timer = self._scheduler.at(due, self._arrive, active, scenario.inbound[index])
                active.timers.append(timer)
            if vendor is None or tenant is None:
                self.active = active
            else:
                self.tenants[(vendor, tenant)] = active
        self._accounts_before = state["accounts_before"]
        self.in_force = self.active is not None or bool(self.tenants)
        if self.in_force:
            self._changed(None, None)

    # -- reading ----------------------------------------------------------------------
    def tenant_layer(self, vendor: str, tenant: str) -> ActiveScenario | None:
        """The scenario of one tenant, if it has one."""
        return self.tenants.get((vendor, tenant))

    def layers(self, vendor: str, tenant: str | None) -> list[ActiveScenario]:
        """The scenarios that speak for a tenant, most specific first."""
        found = []
        if tenant is not None and (vendor, tenant) in self.tenants:
            found.append(self.tenants[(vendor, tenant)])
        if self.active is not None:
            found.append(self.active)
        return found

    def first(self, kind: str, facts: Facts) -> tuple[ActiveScenario, Rule] | None:
        """The first rule of ``kind`` that matches (facts fully known); the later ones are counted."""
        from emulator.core.scenarios.match import Verdict

        found = None
        for active in self.layers(facts.vendor, facts.tenant):
            for index in active.indexes(kind):
                if active.check(index, facts, count_only=found is not None) is Verdict.YES:
                    found = (active, active.rule(index))
        return found

    def fault_entries(self, vendor: str) -> list[Any]:
        """What a request gate checks, in order (the tenant layer is resolved when known)."""
        from emulator.core.scenarios import gate

        entries: list[Any] = []
        if any(v == vendor for v, _ in self.tenants):
            entries.append(gate.TENANT_LAYER)
        if self.active is not None:
            entries.extend((self.active, i) for i in self.active.indexes("fault"))
        return entries

    def open_gate(self, vendor: str, operation: str | None, headers: Mapping[str, str]) -> RequestGate:
        """A request gate for one vendor request (see ``gate.py``)."""
        from emulator.core.scenarios import gate

        return gate.open_gate(self, vendor, operation, headers)

    # -- the engine's questions ---------------------------------------------------------
    def decide(self, run: Run, attempt: int, fallback: OutcomePolicy) -> Decision:
        """The outcome and state delays of one attempt of ``run.fax``: each from the first
        matching rule."""
        from emulator.core.scenarios.match import Facts, Verdict

        fax = run.fax
        facts = Facts(vendor=fax.vendor, tenant=fax.tenant, to=fax.to, attempt=attempt)
        outcome_rule: Rule | None = None
        delays_rule: Rule | None = None
        for active in self.layers(fax.vendor, fax.tenant):
            for index in active.indexes("fax"):
                rule = active.rule(index)
                wanted = (outcome_rule is None and rule.decides_outcome) or (delays_rule is None and rule.delays)
                if active.check(index, facts, count_only=not wanted) is not Verdict.YES:
                    continue
                if outcome_rule is None and rule.decides_outcome:
                    outcome_rule = rule
                if delays_rule is None and rule.delays:
                    delays_rule = rule
        if outcome_rule is not None:
            result = Result(
                outcome_rule.outcome_for(attempt), outcome_rule.pages_sent, outcome_rule.native, outcome_rule.label
            )
        else:
            result = fallback.attempt(run, attempt)
        return Decision(attempt, result, dict(delays_rule.delays) if delays_rule else {})

    def timing(self, vendor: str, tenant: str, state: str) -> float | None:
        """A scenario's ``timing`` for a state: the tenant's, else the global one's."""
        for active in self.layers(vendor, tenant):
            seconds = active.scenario.timing.get(vendor, {}).get(state)
            if seconds is not None:
                return seconds
        return None

    def shape_webhook(self, delivery: Delivery) -> Shape | None:
        """What the first matching webhook rule does to a delivery (``Dispatcher.shaper``)."""
        if not self.in_force:
            return None
        from emulator.core.scenarios.match import Facts

        fax = self._store.get(delivery.fax_id) if delivery.fax_id else None
        facts = Facts(vendor=delivery.vendor, tenant=delivery.tenant, to=fax.to if fax else None, event=delivery.event)
        found = self.first("webhook", facts)
        if found is None:
            return None
        action = found[1].webhook
        if action is None:
            return None
        return Shape(action.delay, action.duplicate, action.out_of_order, action.drop, found[1].label, action.retry)

    def to_json(self, vendor: str | None = None, tenant: str | None = None) -> dict[str, Any]:
        """The control API's view: the scenario in that place, and the tenant scenarios."""
        now = self._clock.now()
        active = self.active if vendor is None or tenant is None else self.tenants.get((vendor, tenant))
        return {
            "active": active is not None,
            "scenario": active.to_json(now) if active is not None else None,
            "tenants": [{"vendor": v, "tenant": t, "name": a.scenario.name} for (v, t), a in self.tenants.items()],
        }


def _active_state(active: ActiveScenario) -> dict[str, Any]:
    scenario = active.scenario
    # steps are for ``run``, not for a scenario in force
    document = {key: value for key, value in scenario.document.items() if key != "steps"}
    if "rules" in document:  # each rule under the label it has now (a default label names its file)
        document["rules"] = [
            {**raw, "name": rule.label} for raw, rule in zip(document["rules"], scenario.rules, strict=True)
        ]
    if "inbound" in document:  # documents read from files are kept themselves: a posted one cannot read files
        document["inbound"] = [{k: v for k, v in raw.items() if k != "document"} for raw in document["inbound"]]
    return {
        "document": document,
        "inbound_documents": [spec.document for spec in scenario.inbound],
        "vendor": active.vendor,
        "tenant": active.tenant,
        "applied_at": active.applied_at,
        "random": active.random.getstate(),
        "counters": [[state.seen, state.used] for state in active.states],
        "arrivals": [
            [next(i for i, spec in enumerate(scenario.inbound) if spec is timer.args[1]), timer.due]
            for timer in active.timers
            if not timer.cancelled and timer.owner is not None
        ],
    }
