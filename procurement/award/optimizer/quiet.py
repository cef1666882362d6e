"""HiGHS with its log off from the moment it exists, for highspy and for PuLP's HiGHS API.

`highspy.Highs()` registers its callbacks while it is constructed, and HiGHS prints its banner
("Running HiGHS ...") on the first such call unless `output_flag` is already off; PuLP's
`HiGHS(msg=False)` turns the flag off only after constructing one. Every solver the optimizer,
the demo and the benchmarks construct comes from here, so none of them prints the banner.
"""

from __future__ import annotations

from typing import Any

import highspy
import pulp


class QuietHighs(highspy.Highs):
    """`highspy.Highs` whose log is off before its constructor registers the callbacks."""

    def __init__(self) -> None:
        highspy.Highs.__init__(self)

    def enableCallbacks(self) -> None:
        self.setOptionValue("output_flag", False)
        self.setOptionValue("log_to_console", False)
        highspy.Highs.enableCallbacks(self)


class QuietPulpHiGHS(pulp.HiGHS):  # type: ignore[misc]  # PuLP is untyped: HiGHS is Any
    """PuLP's HiGHS API (`msg` is ignored: always silent) solving on a `QuietHighs`."""

    def createAndConfigureSolver(self, lp: Any) -> None:
        lp.solverModel = QuietHighs()
        options = {
            "mip_rel_gap": self.gapRel,
            "mip_abs_gap": self.gapAbs,
            "threads": self.threads,
            "time_limit": None if self.timeLimit is None else float(self.timeLimit),
            **self.optionsDict,
        }
        for key, value in options.items():
            if value is not None:
                lp.solverModel.setOptionValue(key, value)
