// Go guest programs for the coexistence tests, built with GOOS=wasip1
// GOARCH=wasm by tests/support (standard library only).
module p1guests

go 1.21
