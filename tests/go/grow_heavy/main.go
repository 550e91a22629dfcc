// A heap that only grows: it keeps every block it allocates, 96 MiB in
// blocks of 24 KiB to 1 MiB, so the runtime asks for memory again and again
// (hundreds of memory.grow calls). It prints a checksum of every block, so
// a byte the adapter's moves lost or damaged shows.
package main

import (
	"fmt"
	"hash/fnv"
)

func main() {
	kept := make([][]byte, 0, 1024)
	total := 0
	for i := 0; total < 96<<20; i++ {
		size := 24<<10 + (i*7919)%(1<<20)
		block := make([]byte, size)
		for j := range block {
			block[j] = byte(i + j*31)
		}
		kept = append(kept, block)
		total += size
	}
	hash := fnv.New64a()
	for _, block := range kept {
		hash.Write(block)
	}
	fmt.Printf("grow heavy: %d blocks, %d bytes, checksum %016x\n", len(kept), total, hash.Sum64())
}
