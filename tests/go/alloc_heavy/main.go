// An allocation-heavy program: maps, JSON encode/decode and regexp over
// many rounds, well over 64 MiB allocated in all, ending with a checksum of
// everything computed, so any corrupted byte shows.
package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"regexp"
	"runtime"
	"sort"
	"strings"
)

type Record struct {
	ID    int               `json:"id"`
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Attrs map[string]string `json:"attrs"`
}

func main() {
	hash := fnv.New64a()
	pattern := regexp.MustCompile(`name-(\d+)-([a-f]+)`)
	keep := make([][]byte, 0, 64)
	for round := 0; round < 60; round++ {
		records := make(map[int]Record, 2000)
		for i := 0; i < 2000; i++ {
			tags := []string{fmt.Sprintf("t%d", i%7), fmt.Sprintf("r%d", round)}
			attrs := map[string]string{"k": strings.Repeat("v", i%13), "round": fmt.Sprint(round)}
			records[i] = Record{ID: i, Name: fmt.Sprintf("name-%d-%s", i, strings.Repeat("abcdef", i%5)), Tags: tags, Attrs: attrs}
		}
		ids := make([]int, 0, len(records))
		for id := range records {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		list := make([]Record, 0, len(ids))
		for _, id := range ids {
			list = append(list, records[id])
		}
		encoded, err := json.Marshal(list)
		if err != nil {
			panic(err)
		}
		var decoded []Record
		if err := json.Unmarshal(encoded, &decoded); err != nil {
			panic(err)
		}
		matches := 0
		for _, r := range decoded {
			if m := pattern.FindStringSubmatch(r.Name); m != nil && len(m[2]) > 6 {
				matches++
			}
		}
		hash.Write(encoded)
		fmt.Fprintf(hash, "%d:%d", round, matches)
		if round%10 == 0 {
			keep = append(keep, encoded)
		}
	}
	for _, kept := range keep {
		hash.Write(kept[:100])
	}
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	fmt.Printf("checksum %016x\n", hash.Sum64())
	fmt.Println("allocated at least 64 MiB:", stats.TotalAlloc >= 64<<20)
}
