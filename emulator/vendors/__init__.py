"""The vendors the emulator serves: one line each."""

from emulator.vendors.callerip import VENDOR as CALLERIP

VENDORS = (CALLERIP,)
