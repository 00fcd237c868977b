"""Every benchmark under bench/ loads and answers --help: a renamed helper fails this, not the next run."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("script", sorted(path.name for path in BENCH.glob("[a-z]*.py")))
def test_the_benchmark_loads_and_explains_its_options(script):
    answer = subprocess.run(
        [sys.executable, script, "--help"], cwd=BENCH, capture_output=True, text=True, timeout=120
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("usage:")
