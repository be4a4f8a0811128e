"""The Vendor spec: the plug-in contract every vendor package fulfils.

A vendor is one ``Vendor`` value, built in ``vendors/<name>/__init__.py`` and listed
once in ``vendors/__init__.py``. The emulator serves its ``routes`` under ``prefix``, each
behind the request pipeline (core/pipeline.py: its ``authenticate``, every error rendered
with ``render_error``, contract checks, the journal), registers ``machine`` with the
engine, and calls the hooks below.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator.core.answers import Renderer
from emulator.core.contracts import Contract
from emulator.core.documents import Document
from emulator.core.exchange import Exchange
from emulator.core.lifecycle import Machine
from emulator.core.outcomes import Result
from emulator.core.pages import Terminal
from emulator.core.routing import VerbOf
from emulator.core.store import Fax, Tenant

if TYPE_CHECKING:
    from emulator.core.services import Services


@dataclass(slots=True, repr=False, eq=False)
class Inbound:
    """A neutral request to make a fax arrive (``POST /_emulator/inbound``, scenarios)."""

    vendor: str
    to: str  # "": the tenant's own number (each vendor knows which)
    sender: str
    tenant: str | None = None  # None: the vendor finds the tenant that owns ``to``
    pages: int = 1
    document: Document | None = None
    options: dict[str, Any] = field(default_factory=dict)  # vendor-specific extras


Route = tuple[str, str, Callable[[web.Request], Any], str]  # (method, path, handler, operation name)


class Handlers:
    """A module of handlers named in a route table without importing it: ``h("send_fax")`` is
    a ``LazyHandler``, imported when a request first calls it. A vendor's handler modules and
    what only they import are about a tenth of start-up (``fax-emulator serve``), and no
    request needs them before its route is matched (``core.warmup`` imports them meanwhile)."""

    __slots__ = ("module",)

    def __init__(self, module: str) -> None:
        self.module = module

    def __call__(self, name: str) -> LazyHandler:
        return LazyHandler(self.module, name)


class LazyHandler:
    """The handler ``name`` of ``module``, imported at its first call. The request pipeline
    calls what ``load`` returns from then on (core/pipeline.py ``serve``), so a request
    pays for the indirection once, not each time."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def load(self) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """The handler itself (its module imported if it is not yet)."""
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]] = getattr(
            importlib.import_module(self.module), self.name
        )
        return handler

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        return await self.load()(request)

    def __repr__(self) -> str:
        return f"<handler {self.module}.{self.name}, imported when first called>"


#: a vendor's ``authenticate(runtime, request, exchange) -> caller`` (see ``Vendor.authenticate``)
Authenticate = Callable[["Services", web.Request, Exchange], object]
#: ``read(runtime, request)``: a route's body, read before ``authenticate`` (``Vendor.read_first``)
ReadFirst = Callable[["Services", web.Request], Awaitable[object]]


@dataclass(repr=False, eq=False)
class Vendor:
    """Everything the emulator needs to know about one vendor."""

    name: str  # short id used in the control API and scenarios, e.g. "callerip"
    title: str  # human name, e.g. "CallerIP"
    prefix: str  # the path its routes sit under; also the base URL clients use
    routes: tuple[Route, ...]  # the whole HTTP surface, in the vendor's documented order
    render_error: Renderer  # the vendor's own error body: render_error(error, request=None)
    machine: Machine
    #: ``authenticate(runtime, request, exchange)``, called before each of its handlers, and
    #: for a path under ``prefix`` that no route matches (``exchange.operation`` is then
    #: None): identifies the caller (``exchange.identify``) and returns it, the vendor's own
    #: typed value (its ``auth.Caller``), which the pipeline keeps as ``exchange.caller``;
    #: or raises the vendor's refusal (401, 403, or a routing 404/405 in its own words).
    #: Synchronous on purpose: no vendor's auth waits for anything, and a coroutine around
    #: every handler would cost each request more than the check itself.
    authenticate: Authenticate | None = None
    #: operation name -> how its body is read before ``authenticate``, for a route whose
    #: credential travels in its body (CallerIP's token is a field of its send form): the
    #: pipeline awaits it first, and the handler's own read returns what it read
    #: (``core.bodies.read_form`` keeps the form). Other routes read their body in the handler
    read_first: Mapping[str, ReadFirst] = field(default_factory=dict)
    #: operation name -> its contract (schemas of query, body and responses), for checks and OpenAPI
    contracts: Mapping[str, Contract] = field(default_factory=dict)
    #: its server matches paths with the case of their literal parts ignored (IIS): a path
    #: under ``prefix`` in any case reaches the route it spells; parameters keep their case
    case_insensitive_paths: bool = False
    #: verb tunnelling: ``verb_of(request)`` names the method a POST under ``prefix`` asks to be
    #: handled as (Crossbar's ``?verb=PATCH``), None for POST itself; the app routes it as that
    #: method (core/routing.py ``VerbTunnels``). None: the vendor tunnels nothing
    verb_of: VerbOf | None = None
    #: OpenAPI security schemes of the vendor (applied to every operation whose contract has auth)
    security: Mapping[str, Any] = field(default_factory=dict)
    #: the webhook events it sends (``Dispatcher.deliver(event=...)``), for coverage
    webhook_events: tuple[str, ...] = ()
    #: the error statuses its documents define, which a client should be tested against (coverage)
    error_statuses: tuple[int, ...] = ()
    #: the class of its faxes' records (``Fax.record``): a dataclass with slots of plain data
    #: fields (vendors/<name>/state.py), so a fax converts to and from plain data
    #: (``Fax.to_data``, ``core.store.fax_from_data``); None: its faxes carry no record
    record: type | None = None
    #: called on every status change of this vendor's faxes (webhooks, re-iding, costs)
    on_transition: Callable[[Services, Fax, str | None, str], None] | None = None
    #: ``pre_dial(runtime, fax)``, called as an attempt enters transmission, before the call:
    #: the vendor may refuse this attempt with a Result (its own check, e.g. Kazoo's caller
    #: id); the attempt then ends so, with no call and no pages, and is retried or ends the
    #: fax like any failure. None (or returning None): the call goes ahead
    pre_dial: Callable[[Services, Fax], Result | None] | None = None
    #: makes an inbound fax arrive; None if the vendor has no inbound faxes
    receive: Callable[[Services, Inbound], Fax] | None = None
    #: what the transmitting terminal prints on each page of a fax (the header line's identity)
    #: and its resolution (core/pages.py); None: the fax's sender number, fine
    terminal: Callable[[Services, Fax], Terminal] | None = None
    #: the vendor's own JSON for a fax, shown by the control API beside the neutral view
    view: Callable[[Services, Fax], dict[str, Any]] | None = None
    #: checks a list of declared accounts and returns it normalised (raises Invalid);
    #: None: the vendor has no declared accounts (any credential is its own tenant)
    check_accounts: Callable[[list[Any]], list[dict[str, Any]]] | None = None
    #: checks the vendor's option switches and declared data and returns them complete
    #: with defaults (``check_options({})`` gives the defaults); None: it has no options
    check_options: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    #: ``owns(runtime, tenant)``: whether a tenant holds anything the vendor would not make
    #: again the same from its id on next use; one that owns nothing may be forgotten
    #: (``Store.forget_idle``). None: a tenant owns whatever it holds (faxes, settings,
    #: any non-empty collection)
    owns: Callable[[Services, Tenant], bool] | None = None

    @property
    def operations(self) -> tuple[str, ...]:
        """Operation names (route names) a scenario can match on, in documented order."""
        return tuple(name for *_, name in self.routes)
