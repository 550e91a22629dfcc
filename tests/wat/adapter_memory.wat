;; Points random_get at the page an adapter takes at the guest's first p1
;; call (the page just above memory at that moment), then checks the adapter
;; still works. Prints random_get's errno.
(module
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "random_get into adapter memory: ")
  (data (i32.const 128) "fd_write still works\n")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (local $top i32) (local $errno i32)
    (local.set $top (i32.shl (memory.size) (i32.const 16)))
    (drop (call $sched_yield))
    (local.set $errno (call $random_get (local.get $top) (i32.const 16)))
    (call $write (i32.const 64) (i32.const 32))
    (i32.store8 (i32.const 200) (i32.add (i32.const 48) (i32.div_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.const 201) (i32.add (i32.const 48) (i32.rem_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.const 202) (i32.const 10))
    (call $write (i32.const 200) (i32.const 3))
    (call $write (i32.const 128) (i32.const 21)))
)
