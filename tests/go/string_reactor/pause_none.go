//go:build !pause

package main

// Without `-tags pause`, nothing is paused: `adapt` wraps cabi_realloc instead.
func pauseClock(bool) {}
