"""A first run of a playbook with an SOP (the assessment's task tables expanded and put into
DuckDB) imports no pandas: pyarrow imports it (~0.2 s) when handed Python lists, and DuckDB when
handed an Arrow table (arrow_values.table_of, compute.from_arrow)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "sop"


def test_a_cold_sop_run_imports_no_pandas(tmp_path: Path) -> None:
    code = ("import sys; from qunce.cli import main\n"
            "try:\n    main(prog_name='qunce')\nexcept SystemExit as exit:\n    code = exit.code\n"
            "sys.exit('pandas imported' if 'pandas' in sys.modules else code)")
    env = {**os.environ, "QUNCE_NO_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", code, "simulate", str(EXAMPLE / "playbook.yaml"), "--events",
                           str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml"), "--out",
                           str(tmp_path / "out"), "--lang", "en"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "out" / "sop_tasks.parquet").stat().st_size > 0
