;; The virtual `wasi:clocks/monotonic-clock` (WASI 0.2): a clock that starts at 0 and
;; advances by a fixed step at every reading (the same readings on every run), or denied
;; (each call traps in a function named after it). Waiting is real: a subscription asks the
;; host's clock for the same duration.
;; Configuration: the record `monotonic-clock` of virt/config.wit (mode 1 stepping, 2
;; denied; the step in nanoseconds), its fields' addresses filled in from that WIT.
(module
  (import "wasi:clocks/monotonic-clock@{{wasi-0.2}}" "subscribe-duration"
    (func $host_subscribe_duration (param i64) (result i32)))
  (memory (export "memory") 1)
  (global $now (mut i64) (i64.const 0))
  (func $denied:wasi:clocks/monotonic-clock.now unreachable)
  (func $denied:wasi:clocks/monotonic-clock.subscribe unreachable)
  (func $check_now
    (if (i32.eq (i32.load (i32.const {{config:monotonic-clock.mode}})) (i32.const 2))
      (then (call $denied:wasi:clocks/monotonic-clock.now))))
  (func $check_subscribe
    (if (i32.eq (i32.load (i32.const {{config:monotonic-clock.mode}})) (i32.const 2))
      (then (call $denied:wasi:clocks/monotonic-clock.subscribe))))
  (func (export "wasi:clocks/monotonic-clock@{{wasi-0.2}}#now") (result i64)
    (local $t i64)
    (call $check_now)
    (local.set $t (global.get $now))
    (global.set $now (i64.add (local.get $t) (i64.load (i32.const {{config:monotonic-clock.step}}))))
    (local.get $t))
  (func (export "wasi:clocks/monotonic-clock@{{wasi-0.2}}#resolution") (result i64)
    (call $check_now)
    (i64.load (i32.const {{config:monotonic-clock.step}})))
  (func (export "wasi:clocks/monotonic-clock@{{wasi-0.2}}#subscribe-duration") (param $d i64) (result i32)
    (call $check_subscribe)
    (call $host_subscribe_duration (local.get $d)))
  (func (export "wasi:clocks/monotonic-clock@{{wasi-0.2}}#subscribe-instant") (param $when i64) (result i32)
    (call $check_subscribe)
    (call $host_subscribe_duration
      (select
        (i64.sub (local.get $when) (global.get $now))
        (i64.const 0)
        (i64.gt_u (local.get $when) (global.get $now)))))
)
