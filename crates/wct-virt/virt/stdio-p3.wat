;; The virtual `wasi:cli/stdin`, `stdout` and `stderr` (WASI 0.3), denied: using the stream
;; traps in a function named after the call (these functions have no error to return before
;; the stream exists).
(module
  (memory (export "memory") 1)
  (func $denied:wasi:cli/stdin.read-via-stream unreachable)
  (func $denied:wasi:cli/stdout.write-via-stream unreachable)
  (func $denied:wasi:cli/stderr.write-via-stream unreachable)
  (func (export "wasi:cli/stdin@{{wasi-0.3}}#read-via-stream") (result i32)
    (call $denied:wasi:cli/stdin.read-via-stream) (i32.const 0))
  (func (export "wasi:cli/stdout@{{wasi-0.3}}#write-via-stream") (param i32) (result i32)
    (call $denied:wasi:cli/stdout.write-via-stream) (i32.const 0))
  (func (export "wasi:cli/stderr@{{wasi-0.3}}#write-via-stream") (param i32) (result i32)
    (call $denied:wasi:cli/stderr.write-via-stream) (i32.const 0))
)
