"""A reset also cancels webhook deliveries still to be attempted: nothing leaks into what follows."""

from __future__ import annotations

from emulator.core.webhooks import RetryPolicy
from tests.conftest import runtime_of


async def test_reset_cancels_pending_and_retrying_deliveries(client, receiver):
    dispatcher = runtime_of(client).dispatcher
    receiver.fail_next = 1
    dispatcher.deliver(
        vendor="callerip", tenant="t", event="e", url=receiver.url, body=b"{}", policy=RetryPolicy(attempts=3, delay=60)
    )
    assert (await client.post("/_emulator/clock/advance", json={"seconds": 1})).status == 200
    assert [r["answered"] for r in receiver.received] == [500]  # a retry is now due in 60 s
    dispatcher.deliver(vendor="callerip", tenant="t", event="e", url=receiver.url, body=b"{}", delay=30)
    assert runtime_of(client).scheduler.pending == 2

    assert (await client.post("/_emulator/reset")).status == 200
    assert runtime_of(client).scheduler.pending == 0
    idle = await (await client.post("/_emulator/clock/run-until-idle")).json()
    assert idle["seconds_passed"] == 0
    assert len(receiver.received) == 1
    assert (await (await client.get("/_emulator/webhooks")).json())["deliveries"] == []


async def test_a_tenant_reset_cancels_only_that_tenants_deliveries(client, receiver):
    dispatcher = runtime_of(client).dispatcher
    gone = dispatcher.deliver(vendor="callerip", tenant="a", event="e", url=receiver.url, body=b"{}", delay=30)
    kept = dispatcher.deliver(vendor="callerip", tenant="b", event="e", url=receiver.url, body=b"{}", delay=30)
    reset = await client.post("/_emulator/reset", json={"vendor": "callerip", "tenant": "a"})
    assert reset.status == 200
    await client.post("/_emulator/clock/advance", json={"seconds": 60})
    assert (gone.state, kept.state) == ("dropped", "delivered")
    assert len(receiver.received) == 1
    log = (await (await client.get("/_emulator/webhooks")).json())["deliveries"]
    assert [d["tenant"] for d in log] == ["b"]
