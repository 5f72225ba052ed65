package main

import "fmt"

func main() {
	fmt.Println(Double(21))
}
