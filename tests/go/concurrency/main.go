// Goroutines, channels, time.Sleep and crypto/rand.
package main

import (
	"crypto/rand"
	"fmt"
	"sync"
	"time"
)

func main() {
	start := time.Now()
	var wg sync.WaitGroup
	results := make(chan int, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			time.Sleep(time.Duration(5+n%4) * time.Millisecond)
			sum := 0
			for j := 0; j <= n*1000; j++ {
				sum += j
			}
			results <- sum
		}(i)
	}
	wg.Wait()
	close(results)
	total := 0
	for r := range results {
		total += r
	}
	fmt.Println("sum of sums:", total)
	fmt.Println("slept at least 5ms:", time.Since(start) >= 5*time.Millisecond)
	buf := make([]byte, 64)
	n, err := rand.Read(buf)
	nonzero := 0
	for _, b := range buf {
		if b != 0 {
			nonzero++
		}
	}
	fmt.Println("crypto/rand read:", n, err, "mostly nonzero:", nonzero > 32)
	timer := time.NewTimer(10 * time.Millisecond)
	select {
	case <-timer.C:
		fmt.Println("timer fired")
	case <-time.After(5 * time.Second):
		fmt.Println("timer lost")
	}
}
