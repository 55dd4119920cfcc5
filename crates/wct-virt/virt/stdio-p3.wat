;; The virtual `wasi:cli/stdin`, `stdout` and `stderr` (WASI 0.3), denied where they are
;; used rather than when they are taken: stdin is a stream that has already ended (its
;; writable end dropped at once) whose result is `ok`; stdout's and stderr's data stream is
;; dropped on arrival, so the program's first write finds it closed, and the result says
;; `err(pipe)`. A program that never reads stdin or never prints runs as if it had them.
;;
;; The results are futures written here before the function returns (an async write, which
;; the caller's read completes later); the case of `pipe` and where it lies are read from
;; the bundled WIT ({{...}}).
(module
  (import "[export]wasi:cli/stdin@{{wasi-0.3}}" "[stream-new-0]read-via-stream"
    (func $stdin-stream-new (result i64)))
  (import "[export]wasi:cli/stdin@{{wasi-0.3}}" "[stream-drop-writable-0]read-via-stream"
    (func $stdin-stream-drop-writable (param i32)))
  (import "[export]wasi:cli/stdin@{{wasi-0.3}}" "[future-new-1]read-via-stream"
    (func $stdin-future-new (result i64)))
  (import "[export]wasi:cli/stdin@{{wasi-0.3}}" "[async-lower][future-write-1]read-via-stream"
    (func $stdin-future-write (param i32 i32) (result i32)))
  (import "[export]wasi:cli/stdout@{{wasi-0.3}}" "[stream-drop-readable-0]write-via-stream"
    (func $stdout-stream-drop-readable (param i32)))
  (import "[export]wasi:cli/stdout@{{wasi-0.3}}" "[future-new-1]write-via-stream"
    (func $stdout-future-new (result i64)))
  (import "[export]wasi:cli/stdout@{{wasi-0.3}}" "[async-lower][future-write-1]write-via-stream"
    (func $stdout-future-write (param i32 i32) (result i32)))
  (import "[export]wasi:cli/stderr@{{wasi-0.3}}" "[stream-drop-readable-0]write-via-stream"
    (func $stderr-stream-drop-readable (param i32)))
  (import "[export]wasi:cli/stderr@{{wasi-0.3}}" "[future-new-1]write-via-stream"
    (func $stderr-future-new (result i64)))
  (import "[export]wasi:cli/stderr@{{wasi-0.3}}" "[async-lower][future-write-1]write-via-stream"
    (func $stderr-future-write (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  ;; 16: `ok` (all zero), stdin's result. 32: `err(pipe)`, the writers' result.
  ;; 48: `read-via-stream`'s return area (the stream, then the future).

  ;; `err(pipe)` at 32: the discriminant, then the case where the WIT puts it.
  (func $write-error (result i32)
    (i32.store8 (i32.const 32) (i32.const 1))
    (i32.store8 (i32.const {{write-err-at-32}}) (i32.const {{pipe}}))
    (i32.const 32))

  ;; The readable end of a new pair (`*-new` returns the writable end in the upper half).
  (func $readable (param $pair i64) (result i32) (i32.wrap_i64 (local.get $pair)))
  (func $writable (param $pair i64) (result i32)
    (i32.wrap_i64 (i64.shr_u (local.get $pair) (i64.const 32))))

  (func (export "wasi:cli/stdin@{{wasi-0.3}}#read-via-stream") (result i32)
    (local $stream i64) (local $future i64)
    (local.set $stream (call $stdin-stream-new))
    (call $stdin-stream-drop-writable (call $writable (local.get $stream)))
    (local.set $future (call $stdin-future-new))
    (drop (call $stdin-future-write (call $writable (local.get $future)) (i32.const 16)))
    (i32.store (i32.const 48) (call $readable (local.get $stream)))
    (i32.store (i32.const 52) (call $readable (local.get $future)))
    (i32.const 48))

  (func (export "wasi:cli/stdout@{{wasi-0.3}}#write-via-stream") (param $data i32) (result i32)
    (local $future i64)
    (call $stdout-stream-drop-readable (local.get $data))
    (local.set $future (call $stdout-future-new))
    (drop (call $stdout-future-write (call $writable (local.get $future)) (call $write-error)))
    (call $readable (local.get $future)))

  (func (export "wasi:cli/stderr@{{wasi-0.3}}#write-via-stream") (param $data i32) (result i32)
    (local $future i64)
    (call $stderr-stream-drop-readable (local.get $data))
    (local.set $future (call $stderr-future-new))
    (drop (call $stderr-future-write (call $writable (local.get $future)) (call $write-error)))
    (call $readable (local.get $future)))
)
