// Arguments and environment as Go sees them.
package main

import (
	"fmt"
	"os"
	"sort"
)

func main() {
	for i, arg := range os.Args {
		fmt.Printf("arg %d: %q\n", i, arg)
	}
	env := os.Environ()
	sort.Strings(env)
	for _, kv := range env {
		fmt.Printf("env %q\n", kv)
	}
	if v, ok := os.LookupEnv("GREETING"); ok {
		fmt.Println("GREETING is", v)
	}
	if code := os.Getenv("EXIT_CODE"); code != "" {
		var n int
		fmt.Sscan(code, &n)
		os.Exit(n)
	}
}
