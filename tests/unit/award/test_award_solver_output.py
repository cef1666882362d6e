"""No solver prints anything: HiGHS prints its banner ("Running HiGHS ...") once per process
unless its log is off before the first solver instance registers its callbacks, so the CLI,
the demo and the benchmarks would show it (once per lot in a process pool)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SOLVE = """
from decimal import Decimal as D
from procurement.award.optimizer import AllocationProblem, Hospital, SolverOptions, Winner, allocate
winners = (Winner("W1", D("1.00"), 500), Winner("W2", D("1.20"), 500))
hospitals = (Hospital("H1", "GD", 120), Hospital("H2", "GD", 80), Hospital("H3", "GX", 100))
problem = AllocationProblem("L01", winners, hospitals, "{granularity}", unit="tablets")
result = allocate(problem, SolverOptions(backend="{backend}"))
assert (result.status, result.objective) == ("optimal", D("300.00")), result
"""


@pytest.mark.parametrize("backend", ["pulp", "highspy"])
@pytest.mark.parametrize("granularity", ["single"])
def test_a_solve_in_a_fresh_process_prints_nothing(backend, granularity):
    code = SOLVE.format(backend=backend, granularity=granularity)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")
