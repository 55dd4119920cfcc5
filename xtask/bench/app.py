# A Python command for `cargo xtask bench run`: built with componentize-py against the
# `wasi:cli/command` world that `wct wit print wasi:cli/command --out-dir` writes.
from wit_world import exports


class Run(exports.Run):
    def run(self) -> None:
        print("hello from python")
