package main

import (
	"fmt"

	"example.com/shop/shop"
)

func main() {
	fmt.Println(shop.Total([]float64{1, 2}))
}
