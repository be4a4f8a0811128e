"""One ``Driver`` per vendor, by the vendor's short name."""

from tests.properties.vendors.base import Driver
from tests.properties.vendors.callerip import CallerIP
from tests.properties.vendors.faxplus import FaxPlus
from tests.properties.vendors.imagicle import Imagicle
from tests.properties.vendors.kazoo import Kazoo

DRIVERS: dict[str, type[Driver]] = {d.name: d for d in (CallerIP, FaxPlus, Imagicle, Kazoo)}
