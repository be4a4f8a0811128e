"""Executing a scenario's ``steps`` against a running emulator, over real HTTP.

Each step makes one request (to a vendor API or the control API), moves the manual clock,
or checks what the emulator recorded (a fax, the webhook log, the request journal).
A step passes when every expectation it states holds; its problems say what differed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

from emulator.core.documents import CONTENT_TYPES, make_pdf, make_tiff
from emulator.core.scenarios.model import StepSpec
from emulator.runner.expect import MissingVariable, dig, equal, short, subset, substitute

DEFAULT_TIMEOUT = 30.0  # wall seconds a step's request may take, unless it says


@dataclass
class StepResult:
    number: int
    title: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Answer:
    """What a request got: a status and body, or a transport failure (``error``)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""
    json: Any = None
    error: str | None = None  # reset | truncated | malformed | timeout


class Steps:
    """Runs steps one after another against ``base`` (the emulator) with one HTTP session."""

    def __init__(self, http: aiohttp.ClientSession, base: str, receiver: Any) -> None:
        self.http = http
        self.base = base
        self.receiver = receiver
        self.variables: dict[str, Any] = {"base": base, "receiver": receiver.url}

    async def run(self, number: int, spec: StepSpec) -> StepResult:
        step = spec.data
        result = StepResult(number, step.get("name") or _title(step))
        try:
            body = substitute({k: v for k, v in step.items() if k != "name"}, self.variables)
            result.title = step.get("name") or _title(body)
            action = next(k for k in body if k not in ("expect", "save"))
            result.problems = await getattr(self, f"_{action}")(body, spec)
        except MissingVariable as exc:
            result.problems = [str(exc)]
        return result

    # -- actions ---------------------------------------------------------------------
    async def _request(self, step: dict[str, Any], spec: StepSpec) -> list[str]:
        request = step["request"]
        answer = await self.send(request, spec)
        expect = step.get("expect", {})
        problems = _check_answer(answer, expect)
        if "rule" in expect:
            entries = (await self.control("GET", "/requests", params={"limit": "1"}))["requests"]
            problems += equal("rule", expect["rule"], entries[-1]["rule"] if entries else None)
        for name, path in step.get("save", {}).items():
            try:
                self.variables[name] = dig(answer.json, path)
            except KeyError:
                problems.append(f"save {name}: the answer has no {path!r} (body {short(answer.json)})")
        return problems

    async def _advance(self, step: dict[str, Any], spec: StepSpec) -> list[str]:
        await self.control("POST", "/clock/advance", json={"seconds": step["advance"]})
        return []

    async def _run_until_idle(self, step: dict[str, Any], spec: StepSpec) -> list[str]:
        await self.control("POST", "/clock/run-until-idle")
        return []

    async def _expect_fax(self, step: dict[str, Any], spec: StepSpec) -> list[str]:
        expect = step["expect_fax"]
        fax_id = str(expect["id"])
        fax = await self.control("GET", f"/faxes/{quote(fax_id, safe='')}", allow=(404,))
        if "error" in fax:
            return [f"no fax {fax_id!r} in the emulator"]
        problems = []
        for key, wanted in expect.items():
            if key == "id":
                continue
            if key == "history":
                problems += equal("history", wanted, [h["status"] for h in fax["history"]])
            elif key == "vendor_view":
                problems += subset(wanted, fax.get("vendor_view"), "vendor_view")
            else:
                problems += equal(key, wanted, fax.get(key))
        return problems

    async def _expect_faxes(self, step: dict[str, Any], spec: StepSpec) -> list[str]:
        expect = step["expect_faxes"]
        params = {k: str(expect[k]) for k in ("vendor", "tenant", "direction", "status") if k in expect}
        faxes = (await self.control("GET", "/faxes", params=params))["faxes"]
        problems = []
        if "count" in expect:
            problems += equal("count", expect["count"], len(faxes))
        if "statuses" in expect:
            problems += equal("statuses", expect["statuses"], [f["status"] for f in faxes])
        if "senders" in expect:
            problems += equal("senders", expect["senders"], [f["from"] for f in faxes])
        return problems

    async def _expect_webhooks(self, step: dict[str, Any], spec: StepSpec) -> list[str]:
        expect = step["expect_webhooks"]
        params = {k: str(expect[k]) for k in ("vendor", "tenant", "event", "fax_id") if k in expect}
        deliveries = (await self.control("GET", "/webhooks", params=params))["deliveries"]
        problems = []
        if "count" in expect:
            problems += equal("count", expect["count"], len(deliveries))
        if "states" in expect:
            problems += equal("states", expect["states"], [d["state"] for d in deliveries])
        if "rules" in expect:
            problems += equal("rules", expect["rules"], [d["rule"] for d in deliveries])
        if "received" in expect:
            problems += equal("received", expect["received"], len(self.receiver.received))
        if "received_json" in expect:
            problems += subset(expect["received_json"], [r["json"] for r in self.receiver.received], "received")
        return problems

    async def _expect_requests(self, step: dict[str, Any], spec: StepSpec) -> list[str]:
        expect = step["expect_requests"]
        params = {k: str(expect[k]) for k in ("vendor", "tenant") if k in expect}
        entries = (await self.control("GET", "/requests", params=params))["requests"]
        if "operation" in expect:
            entries = [e for e in entries if e["operation"] == expect["operation"]]
        problems = []
        for key, field_name in (("count", None), ("statuses", "status"), ("rules", "rule"), ("faults", "fault")):
            if key in expect:
                actual = len(entries) if field_name is None else [e[field_name] for e in entries]
                problems += equal(key, expect[key], actual)
        return problems

    # -- HTTP ------------------------------------------------------------------------
    async def control(self, method: str, path: str, *, allow: tuple[int, ...] = (), **kwargs: Any) -> Any:
        """A control API call; anything but 2xx (or ``allow``) is a broken run, not a failed step."""
        async with self.http.request(method, f"{self.base}/_emulator{path}", **kwargs) as response:
            body = await response.json()
            if response.status >= 300 and response.status not in allow:
                raise RuntimeError(f"{method} /_emulator{path} answered {response.status}: {body}")
            return body

    async def send(self, request: dict[str, Any], spec: StepSpec) -> Answer:
        kwargs: dict[str, Any] = {}
        if "query" in request:
            kwargs["params"] = {k: _text(v) for k, v in request["query"].items()}
        headers = dict(request.get("headers", {}))
        if "auth" in request:
            headers["Authorization"] = aiohttp.encode_basic_auth(request["auth"]["user"], request["auth"]["password"])
        if headers:
            kwargs["headers"] = headers
        if "form" in request or "files" in request:
            form = aiohttp.FormData()
            for name, value in request.get("form", {}).items():
                form.add_field(name, _text(value))
            for name, spec_file in request.get("files", {}).items():
                data, filename, content_type = _file(spec_file, spec.base_dir)
                form.add_field(name, data, filename=filename, content_type=content_type)
            kwargs["data"] = form
        elif "json" in request:
            kwargs["json"] = request["json"]
        elif "body" in request:
            kwargs["data"] = request["body"].encode()
        method = request.get("method", "POST" if "data" in kwargs or "json" in kwargs else "GET")
        timeout = aiohttp.ClientTimeout(total=request.get("timeout", DEFAULT_TIMEOUT))
        answer = Answer()
        try:
            async with self.http.request(method, self.base + request["path"], timeout=timeout, **kwargs) as response:
                answer.status = response.status
                answer.headers = dict(response.headers)
                answer.raw = await response.read()
        except TimeoutError:
            answer.error = "timeout"
        except aiohttp.ClientPayloadError:
            answer.error = "truncated"
        except aiohttp.ClientConnectionError:
            answer.error = "reset"
        if answer.error is None and answer.raw:
            try:
                answer.json = json.loads(answer.raw)
            except ValueError:
                if "json" in answer.headers.get("Content-Type", ""):
                    answer.error = "malformed"
        return answer


def _check_answer(answer: Answer, expect: dict[str, Any]) -> list[str]:
    wanted_error = expect.get("error")
    if answer.error != wanted_error:
        if wanted_error is None:
            return [f"the request failed: {answer.error}"]
        got = answer.error or f"a complete answer (status {answer.status})"
        return [f"error: expected {wanted_error}, got {got}"]
    if answer.error in ("reset", "truncated", "timeout"):
        return []
    problems = []
    if "status" in expect:
        problems += equal("status", expect["status"], answer.status)
    if "json" in expect:
        problems += subset(expect["json"], answer.json)
    if "json_keys" in expect:
        keys = sorted(answer.json) if isinstance(answer.json, dict) else None
        problems += equal("json_keys", sorted(expect["json_keys"]), keys)
    lowered = {k.lower(): v for k, v in answer.headers.items()}
    for name, value in expect.get("headers", {}).items():
        problems += equal(f"header {name}", value, lowered.get(name.lower()))
    return problems


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _file(spec: dict[str, Any], base_dir: str | None) -> tuple[bytes, str, str]:
    if "pdf" in spec:
        data, kind = make_pdf(spec["pdf"]), "pdf"
    elif "tiff" in spec:
        data, kind = make_tiff(spec["tiff"]), "tiff"
    elif "text" in spec:
        data, kind = spec["text"].encode(), "text"
    elif "json" in spec:
        data, kind = json.dumps(spec["json"]).encode(), "json"
    else:
        path = os.path.join(base_dir or ".", spec["path"])
        with open(path, "rb") as handle:
            data = handle.read()
        kind = "pdf" if path.lower().endswith(".pdf") else "tiff" if path.lower().endswith((".tif", ".tiff")) else ""
    extension = {"pdf": "pdf", "tiff": "tiff", "text": "txt", "json": "json"}.get(kind, "bin")
    filename = spec.get("filename") or (os.path.basename(spec["path"]) if "path" in spec else f"fax.{extension}")
    content_type = spec.get("content_type") or (
        "application/json" if kind == "json" else CONTENT_TYPES.get(kind, "application/octet-stream")
    )
    return data, filename, content_type


def _title(step: dict[str, Any]) -> str:
    if "request" in step:
        request = step["request"]
        method = request.get("method") or ("POST" if {"form", "files", "json", "body"} & set(request) else "GET")
        return f"{method} {request['path']}"
    if "advance" in step:
        return f"advance the clock {step['advance']:g} s"
    if "run_until_idle" in step:
        return "run the clock until nothing is scheduled"
    action = next(k for k in step if k.startswith("expect_"))
    return action.replace("_", " ")
