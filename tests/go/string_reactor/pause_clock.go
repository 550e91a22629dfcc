//go:build pause

package main

// Built with `-tags pause`, cabi_realloc pauses the adapter's clocks for its
// length, as componentize-go's runtime does with upstream's adapter: linked
// without `adapt`'s wrappers, a collection that starts inside it can still
// read the clock (wasmtime issue 14318).

//go:wasmimport wasi_snapshot_preview1 adapter_monotonic_clock_set_paused
func adapterMonotonicClockSetPaused(paused uint32)

func pauseClock(paused bool) {
	if paused {
		adapterMonotonicClockSetPaused(1)
	} else {
		adapterMonotonicClockSetPaused(0)
	}
}
