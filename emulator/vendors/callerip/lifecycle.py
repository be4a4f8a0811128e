"""CallerIP's status machine (shared/vendors/callerip.md §5).

Loading -> Converting -> Pending -> Sending -> Success | Failed. The vendor documents no
retries, so a failed attempt is final; a document that cannot be converted fails at the
end of Converting.
"""

from emulator.core.lifecycle import Machine

MACHINE = Machine(
    prepare=("Loading", "Converting", "Pending"),
    transmit="Sending",
    success="Success",
    failure="Failed",
    convert="Converting",
    dwell={"Loading": 1.0, "Converting": 3.0, "Pending": 2.0, "Sending": 5.0},
    per_page=10.0,
)
