"""Handlers of the control API: thin wrappers over the Runtime."""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from operator import attrgetter
from typing import Any

from aiohttp import web

from emulator import __version__, keys
from emulator.core.bodies import is_utf8, read_json
from emulator.core.clock import ManualClock
from emulator.core.documents import DocumentError, intake_off_loop
from emulator.core.errors import Conflict, Invalid, NotFound
from emulator.core.runtime import Runtime
from emulator.core.store import Fax
from emulator.core.vendor import Inbound
from emulator.core.views import clock_json, fax_json, fax_summary

MAX_LIST = 10_000  # most items one list call returns


def _runtime(request: web.Request) -> Runtime:
    return request.app[keys.RUNTIME]


def _base_url(request: web.Request, prefix: str) -> str:
    return f"{request.scheme}://{request.host}{prefix}"


def _limit(request: web.Request) -> int:
    raw = request.query.get("limit", str(MAX_LIST))
    try:
        limit = int(raw)
    except ValueError:
        raise Invalid(f"limit must be a whole number, not {raw!r}", field="limit") from None
    if not 1 <= limit <= MAX_LIST:
        raise Invalid(f"limit must be between 1 and {MAX_LIST}", field="limit")
    return limit


def _vendor_filter(request: web.Request, runtime: Runtime) -> str | None:
    vendor = request.query.get("vendor")
    if vendor is not None and vendor not in runtime.vendors:
        raise Invalid(f"unknown vendor {vendor!r}; expected one of {', '.join(runtime.vendors)}", field="vendor")
    return vendor


async def health(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    return web.json_response(
        {
            "status": "ok",
            "version": __version__,
            "clock": clock_json(runtime),
            "vendors": {v.name: _base_url(request, v.prefix) for v in runtime.vendors.values()},
            "errors": list(runtime.scheduler.errors),
            "webhooks": runtime.dispatcher.counts(),
            "retention": runtime.store.retention.counts(),
            "work": runtime.work.stats(),
            "renderings": runtime.cache.pages.cache.stats(),
        }
    )


async def coverage(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    vendor = request.query.get("vendor")
    if vendor is not None and vendor not in runtime.vendors:
        raise Invalid(f"unknown vendor {vendor!r}; expected one of {', '.join(runtime.vendors)}", field="vendor")
    return web.json_response(runtime.coverage(vendor, request.query.get("tenant")))


async def vendors(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    body = []
    for vendor in runtime.vendors.values():
        machine = vendor.machine
        body.append(
            {
                "name": vendor.name,
                "title": vendor.title,
                "base_url": _base_url(request, vendor.prefix),
                "operations": list(vendor.operations),
                "states": list(machine.states),
                "terminal": sorted(machine.terminal),
                "cancellable": machine.cancelled is not None,
                "inbound": vendor.receive is not None,
            }
        )
    return web.json_response({"vendors": body})


async def reset(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    body = await read_json(request, required=False) or {}
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    vendor, tenant = body.get("vendor"), body.get("tenant")
    if tenant is not None and vendor is None:
        raise Invalid("a tenant reset needs the vendor too", field="vendor")
    if vendor is not None and (not isinstance(vendor, str) or vendor not in runtime.vendors):
        raise Invalid(f"unknown vendor {vendor!r}", field="vendor")
    if tenant is not None and (isinstance(tenant, bool) or not isinstance(tenant, str | int)):
        raise Invalid("tenant must be a tenant's id: a string", field="tenant")
    dropped = runtime.reset(vendor, None if tenant is None else str(tenant))
    return web.json_response({"reset": True, "faxes_dropped": dropped})


async def clock(request: web.Request) -> web.Response:
    return web.json_response(clock_json(_runtime(request)))


def _wait(body: Any) -> float | None:
    """The optional ``webhook_wait`` of an advance: wall seconds to wait for webhook attempts."""
    wait = body.get("webhook_wait") if isinstance(body, dict) else None
    if wait is not None and (isinstance(wait, bool) or not isinstance(wait, int | float) or not 0 <= wait <= 3600):
        raise Invalid("webhook_wait must be a number of seconds from 0 to 3600", field="webhook_wait")
    return None if wait is None else float(wait)


def _manual(runtime: Runtime) -> None:
    if not isinstance(runtime.clock, ManualClock):
        raise Conflict("the clock is real; start the emulator with --clock manual to advance it")


def _still_out(runtime: Runtime) -> dict[str, Any]:
    """Webhook attempts an advance stopped waiting for: they finish in the background."""
    return {
        "webhooks_in_flight": [
            {"id": d.id, "url": d.url, "attempt": len(d.attempts) + 1} for d in runtime.dispatcher.in_flight()
        ]
    }


async def advance(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    body = await read_json(request)
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 10 * 365 * 86400:
        raise Invalid('the body must be {"seconds": N} with 0 <= N <= 10 years', field="seconds")
    wait = _wait(body)
    _manual(runtime)
    ran = await runtime.scheduler.advance(float(seconds), wait)
    return web.json_response({**clock_json(runtime), "actions_run": ran, **_still_out(runtime)})


async def run_until_idle(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    wait = _wait(await read_json(request, required=False))
    _manual(runtime)
    passed = await runtime.scheduler.run_until_idle(wait=wait)
    return web.json_response({**clock_json(runtime), "seconds_passed": passed, **_still_out(runtime)})


def _whole_number(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"{name} must be a whole number, not {raw!r}", field=name) from None
    if value < 0:
        raise Invalid(f"{name} must not be negative", field=name)
    return value


def _choice(request: web.Request, name: str, choices: tuple[str, ...]) -> str:
    value = request.query.get(name, choices[0])
    if value not in choices:
        raise Invalid(f"{name} must be one of {', '.join(choices)}, not {value!r}", field=name)
    return value


def _matches(fax: Fax, text: str) -> bool:
    """The search of the fax list: part of an id (or alias) or of a number, in any case."""
    return any(text in value.lower() for value in (fax.id, fax.to, fax.sender, *fax.aliases))


def _facets(faxes: list[Fax]) -> dict[str, dict[str, int]]:
    """How many faxes have each vendor, tenant, direction and status (for filter menus)."""
    return {name: dict(Counter(map(attrgetter(name), faxes))) for name in ("vendor", "tenant", "direction", "status")}


async def list_faxes(request: web.Request) -> web.Response:
    """Faxes that match the filters: the newest ``limit`` after skipping the ``offset`` newest,
    oldest first (``order=newest``: newest first); ``view=summary`` leaves out each fax's
    history and vendor view; ``facets=1`` counts every fax by vendor, tenant, direction, status."""
    runtime = _runtime(request)
    vendor = _vendor_filter(request, runtime)
    query = request.query
    tenant, status, direction = query.get("tenant"), query.get("status"), query.get("direction")
    text = query.get("q", "").strip().lower()
    order = _choice(request, "order", ("oldest", "newest"))
    view = _choice(request, "view", ("full", "summary"))
    limit, offset = _limit(request), _whole_number(request, "offset", 0)
    if vendor is not None and tenant is not None:  # one tenant's faxes, not a scan of every fax
        owner = runtime.store.find_tenant(vendor, tenant)
        candidates = [f for k, f in owner.faxes.items() if k == f.id] if owner is not None else []
    else:
        candidates = runtime.store.all_faxes()
    found = [
        f
        for f in candidates
        if (vendor is None or f.vendor == vendor)
        and (tenant is None or f.tenant == tenant)
        and (status is None or f.status == status)
        and (direction is None or f.direction == direction)
        and (not text or _matches(f, text))
    ]
    if order == "newest" or offset:
        found.sort(key=lambda f: f.created_at)  # a re-id'd fax moves in the store's order, not in time
    end = max(0, len(found) - offset)
    page = found[max(0, end - limit) : end]
    if order == "newest":
        page.reverse()
    show = fax_summary if view == "summary" else lambda fax: fax_json(runtime, fax)
    body: dict[str, Any] = {"faxes": [show(f) for f in page], "total": len(found)}
    if query.get("facets") in ("1", "true"):
        body["facets"] = _facets(runtime.store.all_faxes())
    return web.json_response(body)


def _fax(runtime: Runtime, request: web.Request) -> Fax:
    fax_id = request.match_info["fax_id"]
    fax = runtime.store.get(fax_id)
    if fax is None:
        raise NotFound(f"no fax with id {fax_id!r}")
    return fax


async def get_fax(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    return web.json_response(fax_json(runtime, _fax(runtime, request)))


async def cancel_fax(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    fax = _fax(runtime, request)
    runtime.cancel(fax)
    return web.json_response(fax_json(runtime, fax))


async def _inbound_from(runtime: Runtime, body: Any) -> Inbound:
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    for name in ("vendor", "from", "to", "tenant", "filename"):
        # a JSON escape of a lone surrogate: no number, account or name holds one (it made the
        # vendor's letter or the account's ids unwritable: a 500, found by a byte probe)
        if isinstance(body.get(name), str) and not is_utf8(body[name]):
            raise Invalid(f"{name!r} holds a lone surrogate (a \\udcxx escape), which no text may", field=name)
    for name in ("vendor", "from"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise Invalid(f"{name!r} is required and must be a non-empty string", field=name)
    # without 'to', the tenant's own number (the vendor knows which): one of the two is needed
    to_needed = "to" in body or body.get("tenant") is None
    if to_needed and (not isinstance(body.get("to"), str) or not body["to"]):
        raise Invalid("'to' is required and must be a non-empty string, unless 'tenant' names the receiver", field="to")
    pages = body.get("pages", 1)
    if isinstance(pages, bool) or not isinstance(pages, int) or not 1 <= pages <= 1000:
        raise Invalid("'pages' must be a whole number from 1 to 1000", field="pages")
    document = None
    if body.get("document_base64") is not None:
        try:
            data = base64.b64decode(body["document_base64"], validate=True)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise Invalid("'document_base64' is not valid base64", field="document_base64") from exc
        try:
            document = await intake_off_loop(runtime.work, data, str(body.get("filename") or "inbound"))
        except DocumentError as exc:
            raise Invalid(exc.message, field="document_base64", code=exc.code) from exc
    tenant = body.get("tenant")
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise Invalid("'options' must be an object", field="options")
    # no document: the vendor gives the fax a generated letter, addressed to the number it resolved
    return Inbound(
        body["vendor"],
        body.get("to", ""),
        body["from"],
        None if tenant is None else str(tenant),
        document.pages if document else pages,
        document,
        options,
    )


async def inbound(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    fax = runtime.receive(await _inbound_from(runtime, await read_json(request)))
    return web.json_response(fax_json(runtime, fax), status=201)


def _ids_of(runtime: Runtime, fax_id: str | None) -> set[str]:
    """Every id of the fax ``fax_id`` names (vendors that re-id a finished fax give it two), or
    just ``fax_id`` when no fax has it (any longer); empty for no filter."""
    if fax_id is None:
        return set()
    fax = runtime.store.get(fax_id)
    return {fax.id, *fax.aliases} if fax is not None else {fax_id}


async def requests(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    vendor = _vendor_filter(request, runtime)
    entries = runtime.journal.query(
        vendor=vendor,
        tenant=request.query.get("tenant"),
        limit=_limit(request),
        fax_ids=_ids_of(runtime, request.query.get("fax_id")),
    )
    return web.json_response(
        {
            "requests": [e.to_json() for e in entries],
            "dropped": runtime.journal.dropped,
            "capacity": runtime.journal.size,
        }
    )


async def get_request(request: web.Request) -> web.Response:
    """One journal entry with its headers and bodies and its answer's (bounded: core/journal.py)."""
    runtime = _runtime(request)
    raw = request.match_info["seq"]
    entry = runtime.journal.entry(int(raw)) if raw.isdigit() else None
    if entry is None:
        raise NotFound(f"no request {raw!r} in the journal (it keeps the last {runtime.journal.size})")
    return web.json_response(entry.to_full_json())


async def webhooks(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    vendor = _vendor_filter(request, runtime)
    dispatcher = runtime.dispatcher
    query = request.query
    found = dispatcher.query(
        vendor=vendor, tenant=query.get("tenant"), event=query.get("event"), state=query.get("state")
    )
    fax_ids = _ids_of(runtime, query.get("fax_id"))
    if fax_ids:
        found = [d for d in found if d.fax_id in fax_ids]
    return web.json_response({"deliveries": [d.to_json() for d in found[-_limit(request) :]], **dispatcher.counts()})


async def redeliver(request: web.Request) -> web.Response:
    """Send a logged webhook again now, as a new delivery (``redelivery_of``)."""
    runtime = _runtime(request)
    raw = request.match_info["delivery_id"]
    if not raw.isdigit():
        raise NotFound(f"no webhook delivery {raw!r}")
    return web.json_response(runtime.dispatcher.redeliver(int(raw)).to_json(), status=201)


async def violations(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    vendor = _vendor_filter(request, runtime)
    query = request.query
    raw = query.get("since", "0")
    try:
        since = int(raw)
    except ValueError:
        raise Invalid(f"since must be a whole number, not {raw!r}", field="since") from None
    wanted = {key: query[key] for key in ("tenant", "severity", "kind", "operation") if key in query}
    found = [
        v
        for v in runtime.journal.violations_since(since, vendor=vendor)
        if all(v.get(k) == value for k, value in wanted.items())
    ]
    return web.json_response(
        {
            "violations": found[-_limit(request) :],
            "total": len(found),
            "last_seq": runtime.journal.last_violation,
            "strict": runtime.checks.strict,
        }
    )


async def clear_violations(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    cleared = len(runtime.journal.violations)
    runtime.journal.violations.clear()
    return web.json_response({"cleared": cleared})


async def openapi(request: web.Request) -> web.Response:
    from emulator.core.openapi import build

    runtime = _runtime(request)
    vendor = runtime.vendors.get(request.match_info["vendor"])
    if vendor is None:
        raise NotFound(f"no vendor {request.match_info['vendor']!r}; expected one of {', '.join(runtime.vendors)}")
    return web.json_response(build(vendor, _base_url(request, vendor.prefix)))


async def control_openapi(request: web.Request) -> web.Response:
    from emulator.app import CONTROL_PREFIX
    from emulator.control import docs, routes, spec

    document = spec.build(routes.ROUTES, docs.DOCS, CONTROL_PREFIX, _base_url(request, ""), __version__)
    return web.json_response(document)


async def emails(request: web.Request) -> web.Response:
    """Captured e-mails (never sent), oldest first; filters vendor, tenant, fax_id, kind."""
    runtime = _runtime(request)
    vendor = _vendor_filter(request, runtime)
    query = request.query
    found = runtime.mailbox.query(
        vendor=vendor, tenant=query.get("tenant"), fax_id=query.get("fax_id"), kind=query.get("kind")
    )
    return web.json_response({"emails": [e.to_json() for e in found[-_limit(request) :]]})


async def get_accounts(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    vendor = runtime.vendor(request.match_info["vendor"]).name
    return web.json_response({"vendor": vendor, "accounts": runtime.accounts.get(vendor, [])})


async def put_accounts(request: web.Request) -> web.Response:
    """Replace a vendor's declared accounts: ``{"accounts": [...]}``; ``[]`` accepts any credential."""
    runtime = _runtime(request)
    body = await read_json(request)
    if not isinstance(body, dict) or "accounts" not in body:
        raise Invalid('the body must be {"accounts": [...]}', field="accounts")
    vendor = request.match_info["vendor"]
    return web.json_response({"vendor": vendor, "accounts": runtime.declare_accounts(vendor, body["accounts"])})


async def get_options(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    vendor = runtime.vendor(request.match_info["vendor"])
    if vendor.check_options is None:
        raise Conflict(f"{vendor.title} has no options")
    return web.json_response({"vendor": vendor.name, "options": runtime.options[vendor.name]})


async def patch_options(request: web.Request) -> web.Response:
    """Change some of a vendor's options; the body names only the options to change."""
    runtime = _runtime(request)
    vendor = request.match_info["vendor"]
    options = runtime.set_options(vendor, await read_json(request))
    return web.json_response({"vendor": vendor, "options": options})
