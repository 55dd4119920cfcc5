;; The virtual `wasi:filesystem/preopens` (WASI 0.2): no preopened directory, so the
;; component reaches no file of the host.
(module
  (memory (export "memory") 1)
  ;; An empty list<tuple<own<descriptor>, string>> at 16.
  (func (export "wasi:filesystem/preopens@0.2.12#get-directories") (result i32)
    (i32.store (i32.const 16) (i32.const 0))
    (i32.store (i32.const 20) (i32.const 0))
    (i32.const 16))
)
