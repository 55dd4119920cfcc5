;; The virtual `wasi:clocks/wall-clock` (WASI 0.2): a fixed time, or denied (each call traps
;; in a function named after the call, so the trap's backtrace says which import).
;; Configuration: the record `wall-clock` of virt/config.wit (mode 1 fixed, 2 denied; the
;; time and the resolution as `datetime`s), its fields' addresses filled in from that WIT.
(module
  (memory (export "memory") 1)
  (func $denied:wasi:clocks/wall-clock.now unreachable)
  (func $denied:wasi:clocks/wall-clock.resolution unreachable)
  (func (export "wasi:clocks/wall-clock@{{wasi-0.2}}#now") (result i32)
    (if (i32.eq (i32.load (i32.const {{config:wall-clock.mode}})) (i32.const 2))
      (then (call $denied:wasi:clocks/wall-clock.now)))
    (i32.const {{config:wall-clock.time}}))
  (func (export "wasi:clocks/wall-clock@{{wasi-0.2}}#resolution") (result i32)
    (if (i32.eq (i32.load (i32.const {{config:wall-clock.mode}})) (i32.const 2))
      (then (call $denied:wasi:clocks/wall-clock.resolution)))
    (i32.const {{config:wall-clock.resolution}}))
)
