;; The virtual `wasi:cli/stdin`, `stdout` and `stderr` (WASI 0.2), denied: asking for the
;; stream traps in a function named after the call (these functions have no error to return).
(module
  (memory (export "memory") 1)
  (func $denied:wasi:cli/stdin.get-stdin unreachable)
  (func $denied:wasi:cli/stdout.get-stdout unreachable)
  (func $denied:wasi:cli/stderr.get-stderr unreachable)
  (func (export "wasi:cli/stdin@{{wasi-0.2}}#get-stdin") (result i32)
    (call $denied:wasi:cli/stdin.get-stdin) (i32.const 0))
  (func (export "wasi:cli/stdout@{{wasi-0.2}}#get-stdout") (result i32)
    (call $denied:wasi:cli/stdout.get-stdout) (i32.const 0))
  (func (export "wasi:cli/stderr@{{wasi-0.2}}#get-stderr") (result i32)
    (call $denied:wasi:cli/stderr.get-stderr) (i32.const 0))
)
