// Hello world: the smallest Go program that does p1 I/O.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello from Go")
	fmt.Fprintln(os.Stderr, "and hello on stderr")
}
