"""wasi-testsuite runtime adapter for wct (the suite's official runner loads this file).

Usage, from a copy of the suite (tests write into their roots):

    WCT=wct WCT_ARGS="--cache-dir DIR" python3 wasi_test_runner.py -t SUITE_DIR \
        -r tests/wasi-testsuite/wct.py

`WCT` is the wct binary (default `wct` on PATH); `WCT_ARGS`, options added after `run` or
`serve` (split like a shell would). WASI 0.3
needs no flag: wct links 0.2 and 0.3 together and picks the 0.3 export when a component has it.
Grants follow the test's `proposals`: `sockets` allows the network (`--net`), `http` allows
outgoing HTTP to the loopback servers the runner starts (`--allow-http 127.0.0.1`).
"""
import os
import shlex
import subprocess
from typing import Dict, List, Optional, Tuple

WCT = os.getenv("WCT", "wct")
WCT_ARGS = shlex.split(os.getenv("WCT_ARGS", ""), posix=os.name != "nt")


def get_name() -> str:
    return "wct"


def get_version() -> str:
    result = subprocess.run([WCT, "--version"], encoding="UTF-8",
                            capture_output=True, check=True)
    return result.stdout.split()[1]


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1", "wasm32-wasip3"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command", "wasi:http/service"]


def get_timeout_seconds() -> float:
    # Debug builds of wct compile each program on first use; leave room on a loaded machine.
    return float(os.getenv("WCT_TESTSUITE_TIMEOUT", "60"))


def compute_argv(test_path: str,
                 args_env_root: Tuple[List[str], Dict[str, str], Optional[str]],
                 proposals: List[str],
                 wasi_world: str,
                 wasi_version: str) -> List[str]:
    args, env, root = args_env_root
    serving = wasi_world == "wasi:http/service"
    argv = [WCT]
    argv += ["serve", "--addr", "127.0.0.1:0"] if serving else ["run"]
    argv += WCT_ARGS
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    if root:
        argv += ["--dir", f"{root}::/"]  # noqa: E231
    if "sockets" in proposals:
        argv += ["--net"]
    if "http" in proposals:
        argv += ["--allow-http", "127.0.0.1"]
    argv += [test_path]
    if args and not serving:
        argv += ["--"] + list(args)
    return argv
