"""The vendors the emulator serves: one line each."""

from emulator.vendors.callerip import VENDOR as CALLERIP
from emulator.vendors.faxplus import VENDOR as FAXPLUS
from emulator.vendors.imagicle import VENDOR as IMAGICLE
from emulator.vendors.kazoo import VENDOR as KAZOO

VENDORS = (CALLERIP, FAXPLUS, IMAGICLE, KAZOO)
