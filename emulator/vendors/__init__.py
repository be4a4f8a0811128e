"""The vendors the emulator serves: one line each."""

from emulator.vendors.callerip import VENDOR as CALLERIP
from emulator.vendors.faxplus import VENDOR as FAXPLUS

VENDORS = (CALLERIP, FAXPLUS)
