;; The virtual `wasi:clocks/wall-clock` (WASI 0.2): a fixed time, or denied (each call traps
;; in a function named after the call, so the trap's backtrace says which import).
;; Configuration at 128: +0 heap start; +4 mode (1 fixed, 2 denied); +8 the time as a
;; `datetime` (seconds u64, nanoseconds u32); +24 the resolution as a `datetime`.
(module
  (memory (export "memory") 1)
  (func $denied:wasi:clocks/wall-clock.now unreachable)
  (func $denied:wasi:clocks/wall-clock.resolution unreachable)
  (func (export "wasi:clocks/wall-clock@0.2.12#now") (result i32)
    (if (i32.eq (i32.load (i32.const 132)) (i32.const 2))
      (then (call $denied:wasi:clocks/wall-clock.now)))
    (i32.const 136))
  (func (export "wasi:clocks/wall-clock@0.2.12#resolution") (result i32)
    (if (i32.eq (i32.load (i32.const 132)) (i32.const 2))
      (then (call $denied:wasi:clocks/wall-clock.resolution)))
    (i32.const 152))
)
