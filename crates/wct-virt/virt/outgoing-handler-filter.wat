;; The virtual `wasi:http/outgoing-handler` (WASI 0.2) with destinations: a request whose
;; authority the configuration names (`HOST` for any port, or `HOST:PORT`) goes to the
;; host's handler; any other is refused with `HTTP-request-denied` and dropped.
;;
;; Memory: 16..64 return areas; 128.. the configuration, then the heap (reset at every call).
;; Configuration: the record `allowed-authorities` of virt/config.wit, its fields' addresses
;; filled in from that WIT.
(module
  (import "wasi:http/types@{{wasi-0.2}}" "[resource-drop]outgoing-request"
    (func $drop_request (param i32)))
  (import "wasi:http/types@{{wasi-0.2}}" "[resource-drop]request-options"
    (func $drop_options (param i32)))
  (import "wasi:http/types@{{wasi-0.2}}" "[method]outgoing-request.authority"
    (func $authority (param i32 i32)))
  (import "wasi:http/outgoing-handler@{{wasi-0.2}}" "handle"
    (func $host_handle (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 0))

  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32) (local $need i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $new_size)))
    (local.set $need (i32.sub (global.get $heap) (i32.shl (memory.size) (i32.const 16))))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then
        (if (i32.eq
              (memory.grow (i32.shr_u (i32.add (local.get $need) (i32.const 65535)) (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (if (local.get $old)
      (then
        (memory.copy (local.get $ptr) (local.get $old)
          (select (local.get $old_size) (local.get $new_size)
            (i32.lt_u (local.get $old_size) (local.get $new_size))))))
    (local.get $ptr))

  ;; Whether the `len` bytes at `a` and `b` are equal.
  (func $same (param $a i32) (param $b i32) (param $len i32) (result i32)
    (block $differ
      (loop $next
        (if (i32.eqz (local.get $len)) (then (return (i32.const 1))))
        (br_if $differ (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; Whether the authority (`ptr`, `len`) is allowed: equal to a grant, or a grant followed
  ;; by `:` and a port.
  (func $allowed (param $ptr i32) (param $len i32) (result i32)
    (local $grant i32) (local $end i32) (local $glen i32)
    (local.set $grant (i32.load (i32.const {{config:allowed-authorities.authorities.ptr}})))
    (local.set $end (i32.add (local.get $grant) (i32.shl (i32.load (i32.const {{config:allowed-authorities.authorities.len}})) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $grant) (local.get $end)))
        (local.set $glen (i32.load offset=4 (local.get $grant)))
        (if (i32.le_u (local.get $glen) (local.get $len))
          (then
            (if (call $same (i32.load (local.get $grant)) (local.get $ptr) (local.get $glen))
              (then
                (if (i32.eq (local.get $glen) (local.get $len)) (then (return (i32.const 1))))
                (if (i32.eq (i32.load8_u (i32.add (local.get $ptr) (local.get $glen))) (i32.const 58))
                  (then (return (i32.const 1))))))))
        (local.set $grant (i32.add (local.get $grant) (i32.const 8)))
        (br $next)))
    (i32.const 0))

  ;; result<own<future-incoming-response>, error-code> (8-byte aligned payload).
  (func (export "wasi:http/outgoing-handler@{{wasi-0.2}}#handle")
    (param $request i32) (param $has_options i32) (param $options i32) (result i32)
    (global.set $heap (i32.load (i32.const {{config:allowed-authorities.heap-start}})))
    ;; option<string> at 16: discriminant, pointer at 20, length at 24.
    (call $authority (local.get $request) (i32.const 16))
    (if (i32.load8_u (i32.const 16))
      (then
        (if (call $allowed (i32.load (i32.const 20)) (i32.load (i32.const 24)))
          (then
            (call $host_handle (local.get $request) (local.get $has_options) (local.get $options)
              (i32.const 32))
            (return (i32.const 32))))))
    (call $drop_request (local.get $request))
    (if (local.get $has_options) (then (call $drop_options (local.get $options))))
    (i32.store8 (i32.const 32) (i32.const 1))
    ;; err(HTTP-request-denied) where the WIT puts it (`{{...}}`: src/templates.rs).
    (i32.store8 (i32.const {{handle-err-at-32}}) (i32.const {{http-request-denied}}))
    (i32.const 32))
)
