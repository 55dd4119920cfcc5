;; The virtual `wasi:clocks/system-clock` (WASI 0.3): a fixed time, or denied (each call traps
;; in a function named after the call).
;; Configuration: the record `wall-clock` of virt/config.wit, as wall-clock.wat's (0.3's
;; `instant`, seconds s64 and nanoseconds u32, has the layout of its `datetime`).
(module
  (memory (export "memory") 1)
  (func $denied:wasi:clocks/system-clock.now unreachable)
  (func $denied:wasi:clocks/system-clock.get-resolution unreachable)
  (func (export "wasi:clocks/system-clock@{{wasi-0.3}}#now") (result i32)
    (if (i32.eq (i32.load (i32.const {{config:wall-clock.mode}})) (i32.const 2))
      (then (call $denied:wasi:clocks/system-clock.now)))
    (i32.const {{config:wall-clock.time}}))
  ;; One nanosecond.
  (func (export "wasi:clocks/system-clock@{{wasi-0.3}}#get-resolution") (result i64)
    (if (i32.eq (i32.load (i32.const {{config:wall-clock.mode}})) (i32.const 2))
      (then (call $denied:wasi:clocks/system-clock.get-resolution)))
    (i64.const 1))
)
