;; The virtual `wasi:clocks/system-clock` (WASI 0.3): a fixed time, or denied (each call traps
;; in a function named after the call).
;; Configuration at 128 (as wall-clock.wat's): +0 heap start; +4 mode (1 fixed, 2 denied);
;; +8 the time as an `instant` (seconds s64, nanoseconds u32).
(module
  (memory (export "memory") 1)
  (func $denied:wasi:clocks/system-clock.now unreachable)
  (func $denied:wasi:clocks/system-clock.get-resolution unreachable)
  (func (export "wasi:clocks/system-clock@0.3.0#now") (result i32)
    (if (i32.eq (i32.load (i32.const 132)) (i32.const 2))
      (then (call $denied:wasi:clocks/system-clock.now)))
    (i32.const 136))
  ;; One nanosecond.
  (func (export "wasi:clocks/system-clock@0.3.0#get-resolution") (result i64)
    (if (i32.eq (i32.load (i32.const 132)) (i32.const 2))
      (then (call $denied:wasi:clocks/system-clock.get-resolution)))
    (i64.const 1))
)
