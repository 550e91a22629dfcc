// A c-shared reactor shaped like the components componentize-go builds: it
// exports `cabi_realloc`, so the canonical ABI allocates the strings the host
// passes in Go's heap, and Go's allocator may start a garbage collection
// inside that call (which reads the clock). GC is made frequent on purpose.
package main

import (
	"runtime/debug"
	"runtime/metrics"
	"unsafe"
)

// Blocks handed out by cabi_realloc, kept alive until the export that
// receives them has read them.
var pinned = map[uintptr][]byte{}

var (
	reallocs     int32
	gcsInRealloc int32
	retained     [][]byte
	cycles       = []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
)

func init() {
	debug.SetGCPercent(5)
}

func gcCycles() uint64 {
	metrics.Read(cycles)
	return cycles[0].Value.Uint64()
}

//go:wasmexport cabi_realloc
func cabiRealloc(old unsafe.Pointer, oldSize, align, newSize uint32) unsafe.Pointer {
	pauseClock(true)
	defer pauseClock(false)
	reallocs++
	before := gcCycles()
	block := make([]byte, newSize+align)
	if old != nil {
		copy(block, unsafe.Slice((*byte)(old), oldSize))
		delete(pinned, uintptr(old))
	}
	at := uintptr(unsafe.Pointer(&block[0]))
	if align > 1 {
		at = (at + uintptr(align) - 1) &^ (uintptr(align) - 1)
	}
	pinned[at] = block
	if gcCycles() != before {
		gcsInRealloc++
	}
	return unsafe.Pointer(at)
}

// process takes a string (pointer and length, as the canonical ABI lowers
// it) and answers its FNV-1a hash. It keeps a copy of the last few strings
// and drops the rest, so the heap keeps growing and shrinking.
//
//go:wasmexport process
func process(data unsafe.Pointer, length uint32) uint32 {
	text := unsafe.Slice((*byte)(data), length)
	hash := uint32(2166136261)
	for _, b := range text {
		hash = (hash ^ uint32(b)) * 16777619
	}
	retained = append(retained, append([]byte(nil), text...))
	if len(retained) > 8 {
		retained = retained[1:]
	}
	delete(pinned, uintptr(data))
	return hash
}

//go:wasmexport reallocs
func reallocCount() int32 { return reallocs }

//go:wasmexport collections
func gcsInReallocCount() int32 { return gcsInRealloc }

func main() {}
