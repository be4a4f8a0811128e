"""FAX.PLUS handlers for files, outbox, faxes and webhooks (faxplus.md §3.1-§3.4).

Each parses, makes one call into the vendor's model modules or the runtime, serialises.
"""

from __future__ import annotations

import orjson
from aiohttp import web

from emulator.core.answers import json_text_response
from emulator.core.bodies import PART_HEADS, read_form, read_json
from emulator.core.errors import Invalid
from emulator.core.exchange import EXCHANGE
from emulator.vendors.faxplus import files, hooks, outbox, records, serialise
from emulator.vendors.faxplus.context import caller, done, download, json_body, ok, user

# -- files (§3.1) ------------------------------------------------------------------


async def upload_file(request: web.Request) -> web.Response:
    runtime, tenant, _ = user(request)
    files.check_format(request.query.get("format"))
    form = await read_form(
        request, runtime.config.max_upload_bytes, file_fields=("fax_file",), heads=runtime.cache.memos[PART_HEADS]
    )
    upload = form.file("fax_file")
    if upload is None:
        raise Invalid("fax_file is required: a multipart part named fax_file", field="fax_file")
    return ok({"path": (await files.add(runtime, tenant, upload)).path})


async def get_file(request: web.Request) -> web.Response:
    runtime, tenant, owner = user(request)
    kind = files.check_format(request.query.get("format"))
    fax = records.find_document(tenant, owner, request.match_info["fax_id"])
    data, kind = await files.render(runtime, fax, kind)
    name = serialise.file_name(fax) if records.is_record(fax) else f"outbox-{fax.id}"
    return download(data, files.CONTENT_TYPES[kind], f"{name}.{kind}")


async def get_fax_report(request: web.Request) -> web.Response:
    runtime, tenant, owner = user(request)
    fax = records.find(tenant, owner, request.match_info["fax_id"])
    record = serialise.fax_record(fax)
    return download(await files.report(runtime, fax, record), "application/pdf", f"report-{record['id']}.pdf")


async def get_fax_thumbnail(request: web.Request) -> web.Response:
    runtime, tenant, owner = user(request)
    fax_id = request.match_info["fax_id"]
    fax = records.find_document(tenant, owner, fax_id)
    return download(await files.thumbnail(runtime, fax), "image/png", f"thumbnail-{fax_id}.png")


# -- outbox (§3.2) -----------------------------------------------------------------


async def send_fax(request: web.Request) -> web.Response:
    runtime, tenant, sender = user(request)
    order = outbox.parse(runtime, tenant, sender, await read_json(request))
    exchange = request[EXCHANGE]
    faxes = outbox.submit(runtime, tenant, order, request.remote or "", exchange.gate)
    exchange.fax_ids = tuple([f.id for f in faxes])  # (a list: no generator)
    return ok({"ids": {f.to: f.id for f in faxes} if order.return_ids else {}}, status=201)


async def list_outbox_faxes(request: web.Request) -> web.Response:
    runtime, tenant, owner = user(request)
    return ok({"records": [orjson.Fragment(serialise.outbox(runtime.cache, f)) for f in outbox.pending(tenant, owner)]})


async def get_outbox_fax(request: web.Request) -> web.Response:
    runtime, tenant, owner = user(request)
    return json_text_response(
        serialise.outbox(runtime.cache, outbox.find(tenant, owner, request.match_info["outbox_fax_id"]))
    )


async def update_outbox_fax(request: web.Request) -> web.Response:
    runtime, tenant, owner = user(request)
    body = await json_body(request, "payload_outbox_modification")
    outbox.update(runtime, outbox.find(tenant, owner, request.match_info["outbox_fax_id"]), body)
    return done()


async def delete_outbox_fax(request: web.Request) -> web.Response:
    runtime, tenant, owner = user(request)
    runtime.cancel(outbox.find(tenant, owner, request.match_info["outbox_fax_id"]))
    return done()


# -- faxes (§3.3) ------------------------------------------------------------------


async def list_faxes(request: web.Request) -> web.Response:
    _, tenant, owner = user(request)
    found = records.query(tenant, owner, request.query)
    return ok({"data": {"records": [serialise.fax_record(f) for f in found]}})


async def get_fax(request: web.Request) -> web.Response:
    _, tenant, owner = user(request)
    return ok(serialise.fax_record(records.find(tenant, owner, request.match_info["fax_id"])))


async def update_fax(request: web.Request) -> web.Response:
    runtime, tenant, owner = user(request)
    body = await json_body(request, "payload_fax_modification")
    records.update(runtime, records.find(tenant, owner, request.match_info["fax_id"]), body)
    return done()


async def delete_fax(request: web.Request) -> web.Response:
    runtime, tenant, owner = user(request)
    runtime.store.remove(records.find(tenant, owner, request.match_info["fax_id"]))
    return done()


# -- webhooks (§3.4) ---------------------------------------------------------------


async def create_webhook(request: web.Request) -> web.Response:
    runtime, tenant, _ = caller(request)
    body = await json_body(request, "webhook")
    hook_id = hooks.create(runtime, tenant, hooks.check_target(body["target"]), body["event"])
    return ok({"id": hook_id}, status=201)


async def get_webhooks(request: web.Request) -> web.Response:
    _, tenant, _ = caller(request)
    event = hooks.check_event(request.query.get("event"))
    found = [serialise.hook(i, h) for i, h in hooks.hooks(tenant).items() if h["event"] == event]
    return ok({"data": found})


async def delete_webhook(request: web.Request) -> web.Response:
    _, tenant, _ = caller(request)
    hooks.delete(tenant, request.match_info["hook_id"])
    return done()
