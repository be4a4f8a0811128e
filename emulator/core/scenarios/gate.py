"""The request gate: where fault rules meet a vendor request.

The request pipeline opens a gate for each vendor request when a scenario is in force
(``Scenarios.open_gate``) and keeps it on the request's ``Exchange`` (``exchange.gate``),
whence it travels to whoever learns a fact: no ambient state. Fault rules are checked in
order, each as soon as every fact it matches on is known:

1. before the handler (``start``): vendor, operation (the route name), request headers;
2. when the vendor has identified the caller: the tenant. ``Exchange.identify``, which a
   vendor's auth calls, calls ``identified(tenant)``; ``Runtime.submit`` does it too;
3. when a fax is submitted (``Runtime.submit(fax, exchange.gate)``): the destination.
   With several faxes in one request, the first destination decides.

A rule that needs a fact not known yet makes the rules after it wait too, so "first match
wins" holds exactly. A fault that stops the request (a status, a reset before) raises
``ScriptedFault`` at the checkpoint, before anything is stored; the pipeline answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from emulator.core.errors import ScriptedFault
from emulator.core.scenarios.active import ActiveScenario
from emulator.core.scenarios.match import UNKNOWN, Facts, Verdict

if TYPE_CHECKING:
    from emulator.core.scenarios.model import FaultAction
    from emulator.core.store import Fax

TENANT_LAYER = "tenant scenario"  # placeholder: the tenant's own rules, once the tenant is known


class Layers(Protocol):
    """What a gate asks of the scenarios in force (``manager.Scenarios`` answers)."""

    def fault_entries(self, vendor: str) -> list[Any]:
        """The fault rules a request to ``vendor`` meets, in order (``TENANT_LAYER`` for the tenant's)."""

    def tenant_layer(self, vendor: str, tenant: str) -> ActiveScenario | None:
        """The scenario of one tenant, if it has one."""


@dataclass(eq=False)
class RequestGate:
    """Fault-rule evaluation for one vendor request (a ``core.exchange.Gate``)."""

    scenarios: Layers
    facts: Facts
    entries: list[Any]  # (ActiveScenario, rule index) or TENANT_LAYER, in order
    position: int = 0
    fault: FaultAction | None = None
    rule: str | None = None  # label of the fault rule that fired
    latency: float = 0.0  # wall seconds, drawn when the rule fired
    rules_decided: list[str] = field(default_factory=list)  # outcome rules that decided this request's faxes

    @property
    def label(self) -> str | None:
        """What the journal shows: the fault rule, else the rule that decided a fax made here."""
        return self.rule or (self.rules_decided[0] if self.rules_decided else None)

    def start(self) -> None:
        """Checkpoint 1, before the handler (may raise ScriptedFault)."""
        self._run()

    def identified(self, tenant: str) -> None:
        """Checkpoint 2: the vendor knows the caller's tenant (may raise ScriptedFault)."""
        if self.facts.tenant is UNKNOWN:
            self.facts.tenant = tenant
            self._run()

    def submitting(self, fax: Fax) -> None:
        """Checkpoint 3: a fax is about to be stored (may raise ScriptedFault)."""
        self.identified(fax.tenant)
        if self.facts.to is UNKNOWN:
            self.facts.to = fax.to
            self._run()

    def decided(self, rule: str | None) -> None:
        """A fax made by this request was decided by ``rule`` (None: by no rule)."""
        if rule is not None:
            self.rules_decided.append(rule)

    def _run(self) -> None:
        """Check entries in order until one must wait; once a rule fired, the rest are only counted."""
        entries = self.entries
        stop: str | None = None
        while self.position < len(entries):
            entry = entries[self.position]
            if entry is TENANT_LAYER:
                if self.facts.tenant is UNKNOWN:
                    break
                layer = self.scenarios.tenant_layer(self.facts.vendor, self.facts.tenant)
                entries[self.position : self.position + 1] = (
                    [] if layer is None else [(layer, i) for i in layer.indexes("fault")]
                )
                continue
            active, index = entry
            verdict = active.check(index, self.facts, count_only=self.fault is not None)
            if verdict is Verdict.WAIT:
                break
            self.position += 1
            if verdict is Verdict.YES:
                stop = self._fire(active, index)
        if stop is not None:
            raise ScriptedFault(stop)

    def _fire(self, active: ActiveScenario, index: int) -> str | None:
        """Take the rule's fault; its label if the request must stop here."""
        rule = active.rule(index)
        fault = rule.fault
        if fault is None:  # only fault rules are entries; kept for the type checker
            return None
        self.fault = fault
        self.rule = rule.label
        if fault.latency is not None:
            low, high = fault.latency
            self.latency = low if low == high else active.random.uniform(low, high)
        return rule.label if fault.aborts else None


def open_gate(scenarios: Layers, vendor: str, operation: str | None, headers: Mapping[str, str]) -> RequestGate:
    """A gate for one request: nothing known yet but what the request itself says."""
    facts = Facts(vendor=vendor, tenant=UNKNOWN, to=UNKNOWN, operation=operation, headers=headers)
    return RequestGate(scenarios, facts, scenarios.fault_entries(vendor))
