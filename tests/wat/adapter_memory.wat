;; Makes a call that needs the adapter's state (fd_prestat_get), so that an
;; adapter linked drop-in has taken its home block, the top page of memory;
;; then points random_get at the top page of memory as the guest sees it,
;; and checks the adapter still works. Prints random_get's errno. Under
;; native p1, and with a prepared guest (which sees only its own pages), the
;; top page is the guest's own.
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "random_get into the top page: ")
  (data (i32.const 128) "fd_write still works\n")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (local $top i32) (local $errno i32)
    (drop (call $prestat (i32.const 3) (i32.const 300)))
    (local.set $top (i32.shl (i32.sub (memory.size) (i32.const 1)) (i32.const 16)))
    (local.set $errno (call $random_get (i32.add (local.get $top) (i32.const 1024)) (i32.const 16)))
    (call $write (i32.const 64) (i32.const 30))
    (i32.store8 (i32.const 200) (i32.add (i32.const 48) (i32.div_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.const 201) (i32.add (i32.const 48) (i32.rem_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.const 202) (i32.const 10))
    (call $write (i32.const 200) (i32.const 3))
    (call $write (i32.const 128) (i32.const 21)))
)
