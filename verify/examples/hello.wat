;; The bundled example for `cargo verify run`: a preview1 program that greets,
;; then prints each command-line argument and each environment variable.
;; It places the argument and environment data above its own memory with
;; memory.grow, as a C or Rust program's allocator would.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "Hello from a preview1 program, running as a WASI 0.2 component.\n")
  (data (i32.const 1100) "argument: ")
  (data (i32.const 1120) "environment: ")
  (data (i32.const 1140) "\n")

  ;; Writes [ptr, ptr+len) to stdout through an iovec at address 0.
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $strlen (param $ptr i32) (result i32)
    (local $end i32)
    (local.set $end (local.get $ptr))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (local.get $end))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $end) (local.get $ptr)))

  ;; Grows memory by enough pages for `bytes`; returns the new space's address.
  (func $claim (param $bytes i32) (result i32)
    (local $page i32)
    (local.set $page
      (memory.grow (i32.add (i32.shr_u (local.get $bytes) (i32.const 16)) (i32.const 1))))
    (if (i32.eq (local.get $page) (i32.const -1)) (then (unreachable)))
    (i32.shl (local.get $page) (i32.const 16)))

  ;; Prints every string of a p1 list: `label`, the string, a newline.
  (func $print_list (param $pointers i32) (param $count i32) (param $label i32) (param $label_len i32)
    (local $i i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $s (i32.load (i32.add (local.get $pointers) (i32.shl (local.get $i) (i32.const 2)))))
        (call $write (local.get $label) (local.get $label_len))
        (call $write (local.get $s) (call $strlen (local.get $s)))
        (call $write (i32.const 1140) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "_start")
    (local $count i32) (local $size i32) (local $pointers i32)
    (call $write (i32.const 1024) (i32.const 64))

    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (local.set $count (i32.load (i32.const 16)))
    (local.set $size (i32.load (i32.const 20)))
    (local.set $pointers (call $claim (i32.add (i32.shl (local.get $count) (i32.const 2)) (local.get $size))))
    (drop (call $args_get
      (local.get $pointers)
      (i32.add (local.get $pointers) (i32.shl (local.get $count) (i32.const 2)))))
    (call $print_list (local.get $pointers) (local.get $count) (i32.const 1100) (i32.const 10))

    (drop (call $environ_sizes_get (i32.const 16) (i32.const 20)))
    (local.set $count (i32.load (i32.const 16)))
    (local.set $size (i32.load (i32.const 20)))
    (local.set $pointers (call $claim (i32.add (i32.shl (local.get $count) (i32.const 2)) (local.get $size))))
    (drop (call $environ_get
      (local.get $pointers)
      (i32.add (local.get $pointers) (i32.shl (local.get $count) (i32.const 2)))))
    (call $print_list (local.get $pointers) (local.get $count) (i32.const 1120) (i32.const 13)))
)
