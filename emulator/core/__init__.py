"""Vendor-neutral machinery: clock, scheduler, status machines, store, webhooks, journal.

Nothing in this package imports from ``emulator.vendors``.
"""
