// A c-shared reactor: the host calls _initialize, then the exported
// functions. `wasi:cli/run#run` is the entry the test harness calls (it
// exercises the runtime: allocation, goroutines, output); `fib` and `concat`
// are called by the host directly.
package main

import (
	"fmt"
	"os"
	"strings"
)

var calls int

//go:wasmexport wasi:cli/run@0.2.12#run
func run() int32 {
	calls++
	parts := make([]string, 0, 1000)
	for i := 0; i < 1000; i++ {
		parts = append(parts, fmt.Sprint(i*i))
	}
	done := make(chan int)
	go func() { done <- len(strings.Join(parts, ",")) }()
	fmt.Println("reactor run: joined length", <-done, "args", len(os.Args))
	return 0
}

//go:wasmexport fib
func fib(n int32) int32 {
	calls++
	a, b := int32(0), int32(1)
	for i := int32(0); i < n; i++ {
		a, b = b, a+b
	}
	return a
}

//go:wasmexport calls
func callCount() int32 {
	return int32(calls)
}

func main() {}
