;; The virtual `wasi:http/client` (WASI 0.3) with destinations: `send` is lifted async with
;; a callback; a request whose authority the configuration names (`HOST` for any port, or
;; `HOST:PORT`) is sent by the host's client and its result returned as it came; any other
;; is dropped and refused with `HTTP-request-denied`.
;;
;; `$return-result` turns the host's result, as it lies in memory, into `task.return`'s flat
;; parameters; its body is generated at `wct virt` time from the WIT type (`flatten.rs`),
;; which this source leaves `unreachable`.
;;
;; Memory: 16..28 the authority's option<string>; 128.. the configuration, then the heap.
;; Each send that waits keeps a task block (48 bytes, in the task's context slot): +0 its
;; waitable set, +8 the host's result<own<response>, error-code>. Finished blocks are reused.
;; Configuration: the record `allowed-authorities` of virt/config.wit, its fields' addresses
;; filled in from that WIT.
(module
  (import "wasi:http/types@{{wasi-0.3}}" "[method]request.get-authority"
    (func $authority (param i32 i32)))
  (import "wasi:http/types@{{wasi-0.3}}" "[resource-drop]request"
    (func $drop_request (param i32)))
  (import "wasi:http/client@{{wasi-0.3}}" "[async-lower]send"
    (func $host_send (param i32 i32) (result i32)))
  (import "$root" "[waitable-set-new]" (func $set_new (result i32)))
  (import "$root" "[waitable-set-drop]" (func $set_drop (param i32)))
  (import "$root" "[waitable-join]" (func $join (param i32 i32)))
  (import "$root" "[subtask-drop]" (func $subtask_drop (param i32)))
  (import "$root" "[context-get-0]" (func $context_get (result i32)))
  (import "$root" "[context-set-0]" (func $context_set (param i32)))
  (import "[export]wasi:http/client@{{wasi-0.3}}" "[task-return]send"
    (func $task_return (param i32 i32 i32 i64 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 0))
  (global $free (mut i32) (i32.const 0))

  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32) (local $need i32)
    (if (i32.eqz (global.get $heap)) (then (global.set $heap (i32.load (i32.const {{config:allowed-authorities.heap-start}})))))
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

  ;; `task.return` of the result at `ptr` (generated at `wct virt` time).
  (func $return-result (export "wct-virt:return-result") (param $ptr i32)
    unreachable)

  ;; A task block: a finished one, or a new one from the heap.
  (func $take-block (result i32)
    (local $block i32)
    (if (global.get $free)
      (then
        (local.set $block (global.get $free))
        (global.set $free (i32.load (local.get $block)))
        (return (local.get $block))))
    (call $cabi_realloc (i32.const 0) (i32.const 0) (i32.const 8) (i32.const 48)))

  ;; Returns the host's result in `block` and gives the block back; the task exits.
  (func $finish (param $block i32) (result i32)
    (call $return-result (i32.add (local.get $block) (i32.const 8)))
    (i32.store (local.get $block) (global.get $free))
    (global.set $free (local.get $block))
    (i32.const 0))

  (func (export "[async-lift]wasi:http/client@{{wasi-0.3}}#send") (param $request i32) (result i32)
    (local $mark i32) (local $allowed i32) (local $block i32) (local $status i32) (local $set i32)
    ;; The authority's string lives only until it is checked.
    (local.set $block (call $take-block))
    (local.set $mark (global.get $heap))
    (call $authority (local.get $request) (i32.const 16))
    (if (i32.load8_u (i32.const 16))
      (then
        (local.set $allowed (call $allowed (i32.load (i32.const 20)) (i32.load (i32.const 24))))))
    (global.set $heap (local.get $mark))
    (if (i32.eqz (local.get $allowed))
      (then
        (call $drop_request (local.get $request))
        (i32.store (local.get $block) (global.get $free))
        (global.set $free (local.get $block))
        ;; err(HTTP-request-denied), its case read from the WIT (`{{...}}`: src/templates.rs).
        (call $task_return (i32.const 1) (i32.const {{http-request-denied}}) (i32.const 0) (i64.const 0)
          (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
        (return (i32.const 0))))
    (local.set $status
      (call $host_send (local.get $request) (i32.add (local.get $block) (i32.const 8))))
    ;; 2: the host returned at once.
    (if (i32.eq (i32.and (local.get $status) (i32.const 0xf)) (i32.const 2))
      (then (return (call $finish (local.get $block)))))
    (local.set $set (call $set_new))
    (call $join (i32.shr_u (local.get $status) (i32.const 4)) (local.get $set))
    (i32.store (local.get $block) (local.get $set))
    (call $context_set (local.get $block))
    ;; 2: wait on the set.
    (i32.or (i32.const 2) (i32.shl (local.get $set) (i32.const 4))))

  (func (export "[callback][async-lift]wasi:http/client@{{wasi-0.3}}#send")
    (param $event i32) (param $handle i32) (param $code i32) (result i32)
    (local $block i32)
    (local.set $block (call $context_get))
    ;; 1: the subtask progressed; 2: it returned.
    (if (i32.and (i32.eq (local.get $event) (i32.const 1)) (i32.eq (local.get $code) (i32.const 2)))
      (then
        (call $join (local.get $handle) (i32.const 0))
        (call $subtask_drop (local.get $handle))
        (call $set_drop (i32.load (local.get $block)))
        (return (call $finish (local.get $block)))))
    (i32.or (i32.const 2) (i32.shl (i32.load (local.get $block)) (i32.const 4))))
)
