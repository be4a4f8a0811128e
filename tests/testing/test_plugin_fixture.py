"""The fax_emulator fixture as a user's project sees it (through pytester)."""

from __future__ import annotations

from tests.testing.plugin_project import make_project

pytest_plugins = ["pytester"]


def test_installing_the_package_is_enough(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        def test_app_sends_a_fax(request, fax_emulator, send_callerip):
            assert request.config.pluginmanager.has_plugin("fax_emulator")  # the pytest11 entry point
            assert fax_emulator.base_url("callerip") == fax_emulator.url + "/api/fax"
            assert fax_emulator.emulator.config.strict is True
            assert fax_emulator.clock().mode == "manual"
            uuid = send_callerip()
            fax_emulator.advance(6)
            assert fax_emulator.fax(uuid).status == "Sending"
            fax_emulator.run_until_idle()
            (fax,) = fax_emulator.faxes(vendor="callerip", status="Success")
            assert fax.id == uuid and fax.tenant == fax_emulator.credentials("callerip").token
            assert [r.operation for r in fax_emulator.requests()] == ["send_fax"]
            assert fax_emulator.webhooks() == [] and fax_emulator.violations() == []
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_async_tests_can_serve_webhooks_on_their_own_loop(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        import aiohttp
        from aiohttp import web
        from emulator.core.documents import make_pdf

        async def test_async(fax_emulator, aiohttp_server):
            got = []

            async def hook(request):
                got.append(await request.json())
                return web.Response()

            app = web.Application()
            app.router.add_post("/hook", hook)
            server = await aiohttp_server(app)  # served by this test's own event loop
            form = aiohttp.FormData()
            form.add_field("token", fax_emulator.credentials("callerip").token)
            form.add_field("number", "2125550001")
            form.add_field("file", make_pdf(1), filename="fax.pdf", content_type="application/pdf")
            async with aiohttp.ClientSession() as session:
                async with session.post(fax_emulator.base_url("callerip") + "/send", data=form) as response:
                    assert response.status == 200
            emulator = fax_emulator.emulator
            emulator.call(lambda: emulator.runtime.dispatcher.deliver(
                vendor="callerip", tenant="t", event="e", url=str(server.make_url("/hook")), body=b'{"n": 1}'))
            await fax_emulator.aio.advance(600)  # the loop keeps serving while the emulator delivers
            assert got == [{"n": 1}]
            (fax,) = await fax_emulator.aio.faxes(status="Failed")
            assert fax.outcome == "busy"
            assert [d.state for d in await fax_emulator.aio.webhooks()] == ["delivered"]
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_each_test_gets_a_fresh_emulator(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        seen = []

        def test_first(fax_emulator, send_callerip):
            send_callerip()
            seen.append((fax_emulator.url, fax_emulator.credentials("callerip")))

        def test_second(fax_emulator):
            assert fax_emulator.faxes() == [] and fax_emulator.requests() == []
            url, credentials = seen[0]
            assert fax_emulator.url != url
            mine = fax_emulator.credentials("callerip")
            assert mine.token != credentials.token
            assert mine == fax_emulator.credentials("callerip")  # stable within a test
            assert fax_emulator.credentials("callerip", "other").token != mine.token
    """)
    pytester.runpytest().assert_outcomes(passed=2)


def test_receiver_collects_deliveries_for_the_test(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        def test_receiver(fax_emulator):
            receiver = fax_emulator.receiver
            assert fax_emulator.receiver is receiver
            failing = fax_emulator.new_receiver()
            failing.failing = True
            emulator = fax_emulator.emulator
            for url in (receiver.url, failing.url):
                emulator.call(lambda url=url: emulator.runtime.dispatcher.deliver(
                    vendor="callerip", tenant="t", event="e", url=url, body=b'{"ok": true}'))
            fax_emulator.run_until_idle()
            assert receiver.bodies() == [{"ok": True}]
            assert {d.url: d.state for d in fax_emulator.webhooks()} == {receiver.url: "delivered",
                                                                          failing.url: "failed"}
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_unknown_vendor_names_the_ones_served(pytester):
    make_project(pytester)
    pytester.makepyfile("""
        def test_typo(fax_emulator):
            fax_emulator.base_url("fax.plus")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*UnknownVendor: this emulator does not serve a vendor named 'fax.plus'; it serves: *callerip*"]
    )
