package main

// Double returns twice n.
func Double(n int) int {
	return n * 2
}
