;; The virtual `wasi:clocks/monotonic-clock` (WASI 0.3): a clock that starts at 0 and
;; advances by a fixed step at every reading, or denied (each call traps in a function named
;; after it). Waiting is real: both waits ask the host's clock to wait for the same duration
;; (the `async` functions are lifted and lowered synchronously: the caller waits).
;; Configuration: the record `monotonic-clock` of virt/config.wit, as monotonic-clock.wat's.
(module
  (import "wasi:clocks/monotonic-clock@{{wasi-0.3}}" "wait-for" (func $host_wait_for (param i64)))
  (memory (export "memory") 1)
  (global $now (mut i64) (i64.const 0))
  (func $denied:wasi:clocks/monotonic-clock.now unreachable)
  (func $denied:wasi:clocks/monotonic-clock.wait unreachable)
  (func $check_now
    (if (i32.eq (i32.load (i32.const {{config:monotonic-clock.mode}})) (i32.const 2))
      (then (call $denied:wasi:clocks/monotonic-clock.now))))
  (func $check_wait
    (if (i32.eq (i32.load (i32.const {{config:monotonic-clock.mode}})) (i32.const 2))
      (then (call $denied:wasi:clocks/monotonic-clock.wait))))
  (func (export "wasi:clocks/monotonic-clock@{{wasi-0.3}}#now") (result i64)
    (local $t i64)
    (call $check_now)
    (local.set $t (global.get $now))
    (global.set $now (i64.add (local.get $t) (i64.load (i32.const {{config:monotonic-clock.step}}))))
    (local.get $t))
  (func (export "wasi:clocks/monotonic-clock@{{wasi-0.3}}#get-resolution") (result i64)
    (call $check_now)
    (i64.load (i32.const {{config:monotonic-clock.step}})))
  (func (export "wasi:clocks/monotonic-clock@{{wasi-0.3}}#wait-for") (param $d i64)
    (call $check_wait)
    (call $host_wait_for (local.get $d)))
  (func (export "wasi:clocks/monotonic-clock@{{wasi-0.3}}#wait-until") (param $when i64)
    (call $check_wait)
    (call $host_wait_for
      (select
        (i64.sub (local.get $when) (global.get $now))
        (i64.const 0)
        (i64.gt_u (local.get $when) (global.get $now)))))
)
