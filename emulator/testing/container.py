"""The fax-emulator image as a Testcontainers container, with the pytest fixture's client API.

    from emulator.testing.container import FaxEmulatorContainer

    with FaxEmulatorContainer("fax-emulator") as container:    # manual clock, strict contracts
        fax_emulator = container.fixture()                    # what the fax_emulator fixture gives
        url = fax_emulator.base_url("callerip")               # your app's fax base URL
        token = fax_emulator.credentials("callerip").token    # and its token
        # ... your app sends a fax to url with token ...
        fax_emulator.run_until_idle()

It needs the optional extra ``pip install 'fax-emulator[container]'`` (the ``testcontainers``
package) and a docker daemon (Testcontainers' reaper, Ryuk, is pulled from Docker Hub;
with no registry, set ``TESTCONTAINERS_RYUK_DISABLED=true``). Webhook receivers run in this
process: on the host's network (``network_mode="host"``) the container reaches them at
127.0.0.1; on docker's bridge, at ``host.docker.internal`` (mapped to the host by the
container's ``host-gateway`` entry).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

try:
    from testcontainers.core.container import DockerContainer
except ImportError as exc:  # an optional extra
    raise ImportError("emulator.testing.container needs testcontainers: pip install 'fax-emulator[container]'") from exc

from emulator.testing.client import DEFAULT_TIMEOUT, ControlClient
from emulator.testing.fixture import EmulatorFixture
from emulator.testing.receiver import WebhookReceiver

PORT = 8329  # the image's port on docker's bridge
START_TIMEOUT = 60.0
HOST_GATEWAY = "host.docker.internal"


class FaxEmulatorContainer(DockerContainer):
    """``fax-emulator serve`` in a container: ``fixture()`` is the fixture's client, ``url`` its root."""

    def __init__(
        self,
        image: str = "fax-emulator",
        *,
        clock: str = "manual",
        strict: bool = True,
        seed: int | None = None,
        network_mode: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        """``clock``, ``strict`` and ``seed`` are ``serve`` flags (as the fixture: manual, strict);
        ``network_mode="host"`` shares the host's network (where docker has no bridge)."""
        super().__init__(image, **kwargs)
        self.timeout = timeout
        self.host_network = network_mode == "host"
        self.port = _free_port() if self.host_network else PORT
        flags = ["--clock", clock, "--port", str(self.port)]
        flags += ["--strict"] if strict else []
        flags += ["--seed", str(seed)] if seed is not None else []
        self.with_command(flags)
        if self.host_network:
            self.with_kwargs(network_mode="host")
        else:
            self.with_exposed_ports(PORT)
            self.with_kwargs(extra_hosts={HOST_GATEWAY: "host-gateway"})
        self._url: str | None = None
        self._receivers: list[WebhookReceiver] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------
    def start(self) -> FaxEmulatorContainer:
        """Start the container and return once the emulator answers its health check."""
        super().start()
        if self.host_network:
            url = f"http://127.0.0.1:{self.port}"
        else:
            url = f"http://{self.get_container_host_ip()}:{self.get_exposed_port(PORT)}"
        try:
            ControlClient(url, self.timeout).wait_until_ready(START_TIMEOUT)
        except TimeoutError:
            logs = b"".join(self.get_logs()).decode("utf-8", "replace")[-2000:]
            self.stop()
            raise TimeoutError(
                f"fax-emulator in {self.image} did not answer in {START_TIMEOUT} s; its log:\n{logs}"
            ) from None
        self._url = url
        return self

    def stop(self, force: bool = True, delete_volume: bool = True) -> None:
        """Stop the receivers, then the container."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            for receiver in self._receivers:
                asyncio.run_coroutine_threadsafe(receiver.stop(), loop).result(self.timeout)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self.timeout)
            loop.close()
        self._receivers.clear()
        self._loop = self._thread = None
        self._url = None
        super().stop(force, delete_volume)

    def __enter__(self) -> FaxEmulatorContainer:
        return self.start()

    # -- the same surface as FaxEmulator, so EmulatorFixture works on it ------------------
    @property
    def running(self) -> bool:
        return self._url is not None

    @property
    def url(self) -> str:
        """``http://host:port`` of the emulator in the container."""
        if self._url is None:
            raise RuntimeError("the container is not running; call start() or use it as a context manager")
        return self._url

    @property
    def client(self) -> ControlClient:
        """A control API client of this emulator."""
        return ControlClient(self.url, self.timeout)

    def base_url(self, vendor: str) -> str:
        """The base URL a vendor client should use, e.g. ``.../v3`` for ``"faxplus"``."""
        return self.client.base_url(vendor)

    def fixture(self, name: str = "default", *, allow_violations: bool | str = False) -> EmulatorFixture:
        """The pytest fixture's client on this container: ``base_url``, ``credentials``, ``advance``,
        ``faxes``, ``receiver``, ``violations``... ``name`` keeps one user's credentials apart from
        another's. Nothing fails a test by itself here: assert ``contract_failure() is None``."""
        # EmulatorFixture asks of its emulator only what this class has too (url, timeout,
        # running, receiver, close_receiver); its ``emulator`` is typed as the in-process one
        return EmulatorFixture(self, name, allow_violations=allow_violations)  # type: ignore[arg-type]

    def receiver(self, path: str = "/hook") -> WebhookReceiver:
        """A webhook receiver in this process that the container can reach."""
        if self.host_network:
            receiver = WebhookReceiver("127.0.0.1", path)
        else:
            receiver = WebhookReceiver("0.0.0.0", path, public_host=HOST_GATEWAY)
        asyncio.run_coroutine_threadsafe(receiver.start(), self._receiver_loop()).result(self.timeout)
        self._receivers.append(receiver)
        return receiver

    def close_receiver(self, receiver: WebhookReceiver) -> None:
        """Stop one receiver now."""
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(receiver.stop(), self._loop).result(self.timeout)
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    def _receiver_loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the receivers run on, in a thread of its own (started on first use)."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="fax-emulator-receivers", daemon=True)
            self._thread.start()
        return self._loop


def _free_port() -> int:
    """A port free on this host now, for a container on the host's network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
