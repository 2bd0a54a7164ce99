import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("args", [["--help"], ["ingest", "--help"], ["build", "--help"], ["serve", "--help"]])
def test_help_everywhere(args):
    result = subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "usage:" in result.stdout


def test_usage_error_exits_2():
    result = subprocess.run([sys.executable, "build.py", "ingest", "--no-such-flag"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "unrecognized arguments" in result.stderr
