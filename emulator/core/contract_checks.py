"""Contract checks at run time: requests, and (in strict mode) the emulator's own output.

A request is checked against its operation's schemas after the handler has parsed it
(the parsed body is kept on the request), so a body is never read twice. What breaks
the contract is recorded in the violations log: as an ``error`` when the vendor refused
the request, as a ``warning`` when it was served anyway (an unknown field the vendor
ignores, say). In strict mode every JSON response and every webhook body the emulator
produces is validated too, and a failure is logged loudly and recorded as an ``error``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from emulator.core import contracts
from emulator.core.bodies import PARSED_BODY
from emulator.core.clock import Clock, iso8601
from emulator.core.contracts import REFUSED, Contract
from emulator.core.exchange import EXCHANGE
from emulator.core.journal import Journal
from emulator.core.memo import Memo, Remembered

log = logging.getLogger(__name__)

#: a route's contract check of one answer (``ContractChecker.for_route``)
Check = Callable[[web.Request, web.StreamResponse], None]


#: what a query string breaks of its schema, by (vendor, schema, query string as sent)
Queries = Memo[tuple[str, str, str], tuple[contracts.Violation, ...]]


#: what a short request body breaks of its schema, by (vendor, schema, root, the body's JSON text)
Bodies = Memo[tuple[str, str, str, str], tuple[contracts.Violation, ...]]


def query_violations(key: tuple[str, str, str]) -> tuple[contracts.Violation, ...]:
    """``contracts.check_query`` of a (vendor, schema, query string) key (a memo's function)."""
    return contracts.check_query(*key)


#: ``query_violations``, remembered in each emulator's cache (``cache.memos[QUERIES]``)
QUERIES = Remembered("contracts.queries", query_violations)


class ContractChecker:
    """Records contract violations in the journal's violations log."""

    def __init__(
        self,
        journal: Journal,
        clock: Clock,
        strict: bool,
        queries: Queries | None = None,
        bodies: Bodies | None = None,
    ) -> None:
        self.journal = journal
        self.clock = clock
        self.strict = strict
        #: (vendor, query schema, query string as sent) -> its violations, remembered: clients
        #: poll the same URLs over and over (the runtime's cache holds it: ``cache.memos[QUERIES]``)
        self.queries: Queries = queries if queries is not None else Memo(query_violations)
        #: (vendor, body schema, root, the body's JSON text) -> its violations, for short bodies:
        #: clients send the same bodies over and over (a load test's every send), and JSON
        #: Schema's walk was a fifth of a Kazoo job, the text about 1 % of that
        self.bodies: Bodies = bodies if bodies is not None else Memo(contracts.text_violations)

    def record(
        self,
        *,
        vendor: str,
        operation: str | None,
        tenant: str | None,
        kind: str,
        severity: str,
        location: str,
        rule: str,
        message: str,
        method: str = "",
        path: str = "",
        status: int | None = None,
    ) -> None:
        now = self.clock.now()
        self.journal.violation(
            time=now,
            at=iso8601(now),
            vendor=vendor,
            operation=operation,
            tenant=tenant,
            kind=kind,
            severity=severity,
            location=location,
            rule=rule,
            message=message,
            method=method,
            path=path,
            status=status,
        )
        if severity == "error" and kind != "request":
            log.error("contract violation in the emulator's own %s (%s %s): %s", kind, vendor, operation, message)

    def for_route(self, vendor: str, operation: str | None, contract: Contract | None) -> Check:
        """The contract check of one route's answers, decided once when the app is built:
        this is the one place that says which answers are checked.

        A refused answer (``REFUSED``) always is (the refusal itself is recorded). A served
        one is checked when there is something to check: a query or body schema, or strict
        mode. An operation whose only schema is its query's (most polled reads) skips a
        served answer to a request with no query when that schema takes an empty one: a
        fact learnt on the first request that asks (it compiles the schema, which the app's
        start-up should not pay for), then kept by the route.
        """
        check_request = self.check_request
        if contract is None or not (self.strict or contract.query is not None or contract.request is not None):

            def refused_only(request: web.Request, response: web.StreamResponse) -> None:
                if response.status in REFUSED:
                    check_request(request, response, vendor, operation, contract)

            return refused_only
        query = contract.query
        if self.strict or contract.request is not None or query is None:

            def every_answer(request: web.Request, response: web.StreamResponse) -> None:
                check_request(request, response, vendor, operation, contract)

            return every_answer
        takes_empty_query: bool | None = None  # learnt on the first request with no query
        #: the last query a served answer had with nothing to say of it: a client polling one
        #: URL asks the same query every time, and its check is then one string comparison
        passed: str | None = None

        def by_query(request: web.Request, response: web.StreamResponse) -> None:
            nonlocal takes_empty_query, passed
            if response.status not in REFUSED:
                asked = request.rel_url.raw_query_string
                if asked == passed:
                    return
                if not asked:
                    if takes_empty_query is None:
                        takes_empty_query = self.takes_empty_query(vendor, query)
                    if takes_empty_query:
                        passed = asked  # (a poll with no query is then one comparison too)
                        return
                elif not self.queries[vendor, query, asked]:
                    passed = asked
                    return
            check_request(request, response, vendor, operation, contract)

        return by_query

    def body_violations(self, vendor: str, schema: str, body: Any) -> Sequence[contracts.Violation]:
        """``contracts.check`` of a request body, remembered by its JSON text when it is short."""
        return contracts.remembered_in(self.bodies, vendor, schema, body, root="body")

    def takes_empty_query(self, vendor: str, query: str) -> bool:
        """Does the query schema ``query`` take a request with no query at all? (Then a
        served answer to one has nothing to check; each route asks once and keeps the answer.)"""
        return not self.queries[vendor, query, ""]

    def check_request(
        self,
        request: web.Request,
        response: web.StreamResponse,
        vendor: str,
        operation: str | None,
        contract: Contract | None,
    ) -> None:
        """After the handler: the request against its operation's contract (and the response,
        in strict mode). A refused request with no violation found is recorded as refused."""
        status = response.status
        found: Sequence[contracts.Violation] = ()
        if contract is not None:
            if contract.query is not None:
                found = self.queries[vendor, contract.query, request.rel_url.raw_query_string]
            if contract.request is not None:
                body = request.get(PARSED_BODY)
                if body is not None:
                    found = [*found, *self.body_violations(vendor, contract.request, body)]
        refused = status in REFUSED
        if not found and not refused and not (self.strict and contract is not None):
            return
        common: dict[str, Any] = {
            "vendor": vendor,
            "operation": operation,
            "tenant": request[EXCHANGE].tenant,
            "method": request.method,
            "path": request.path,
            "status": status,
        }
        severity = "error" if refused else "warning"
        for violation in found:
            self.record(
                kind="request",
                severity=severity,
                location=violation.path,
                rule=violation.rule,
                message=violation.message,
                **common,
            )
        if refused and not found:
            self.record(
                kind="request",
                severity="error",
                location="$",
                rule="refused",
                message=f"the vendor refused the request ({status}): {_body_text(response)}",
                **common,
            )
        if self.strict and contract is not None:
            self._check_response(response, contract, common)

    def _check_response(self, response: web.StreamResponse, contract: Contract, common: dict[str, Any]) -> None:
        schema = contract.response_schema(response.status)
        body = getattr(response, "body", None)
        if schema is None or not isinstance(body, bytes) or response.content_type != "application/json":
            return
        try:
            instance = json.loads(body)
        except ValueError as exc:
            self.record(
                kind="response",
                severity="error",
                location="$",
                rule="json",
                message=f"the emulator answered invalid JSON: {exc}",
                **common,
            )
            return
        for violation in contracts.check(common["vendor"], schema, instance):
            self.record(
                kind="response",
                severity="error",
                location=violation.path,
                rule=violation.rule,
                message=violation.message,
                **common,
            )

    def check_webhook(self, vendor: str, tenant: str | None, event: str, schema: str, body: bytes) -> None:
        """Strict mode: validate a webhook body the emulator is about to send."""
        if not self.strict:
            return
        try:
            instance = json.loads(body)
        except ValueError:
            return  # a form-encoded webhook: its JSON twin is what the schema describes
        for violation in contracts.check(vendor, schema, instance):
            self.record(
                vendor=vendor,
                operation=event,
                tenant=tenant,
                kind="webhook",
                severity="error",
                location=violation.path,
                rule=violation.rule,
                message=violation.message,
            )


def _body_text(response: web.StreamResponse, limit: int = 300) -> str:
    body = getattr(response, "body", None)
    if not isinstance(body, bytes):
        return ""
    text = body.decode("utf-8", "replace")
    return text if len(text) <= limit else text[:limit] + "…"
