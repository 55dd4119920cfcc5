;; The virtual `wasi:http/outgoing-handler` (WASI 0.2): every request is refused with
;; `HTTP-request-denied`; the request and its options are dropped.
(module
  (import "wasi:http/types@{{wasi-0.2}}" "[resource-drop]outgoing-request"
    (func $drop_request (param i32)))
  (import "wasi:http/types@{{wasi-0.2}}" "[resource-drop]request-options"
    (func $drop_options (param i32)))
  (memory (export "memory") 1)
  ;; result<own<future-incoming-response>, error-code>: discriminant 1 (err) at 16; the
  ;; error-code variant and its case `HTTP-request-denied` where the WIT puts them (the
  ;; `{{...}}` are filled in from the bundled WIT before assembling: src/templates.rs).
  (func (export "wasi:http/outgoing-handler@{{wasi-0.2}}#handle")
    (param $request i32) (param $has_options i32) (param $options i32) (result i32)
    (call $drop_request (local.get $request))
    (if (local.get $has_options) (then (call $drop_options (local.get $options))))
    (i32.store8 (i32.const 16) (i32.const 1))
    (i32.store8 (i32.const {{handle-err-at-16}}) (i32.const {{http-request-denied}}))
    (i32.const 16))
)
