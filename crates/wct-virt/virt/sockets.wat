;; The virtual `wasi:sockets/tcp-create-socket` and `udp-create-socket` (WASI 0.2): creating
;; a socket fails with `access-denied`, so the component opens no connection. The error's case
;; and where it lies are read from the bundled WIT (src/templates.rs).
(module
  (memory (export "memory") 1)
  ;; result<own<socket>, error-code>: discriminant 1 (err) at 16, then error-code's case
  ;; `access-denied` (the same in both functions' results).
  (func $denied (result i32)
    (i32.store8 (i32.const 16) (i32.const 1))
    (i32.store8 (i32.const {{create-err-at-16}}) (i32.const {{access-denied}}))
    (i32.const 16))
  (func (export "wasi:sockets/tcp-create-socket@{{wasi-0.2}}#create-tcp-socket") (param i32) (result i32)
    (call $denied))
  (func (export "wasi:sockets/udp-create-socket@{{wasi-0.2}}#create-udp-socket") (param i32) (result i32)
    (call $denied))
)
