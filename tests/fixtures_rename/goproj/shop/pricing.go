package shop

// Total adds prices.
func Total(items []float64) float64 {
	sum := 0.0
	for _, p := range items {
		sum += p
	}
	return sum
}

// Cart holds prices.
type Cart struct {
	Items []float64
	Total float64
}

// Add appends a price.
func (c *Cart) Add(p float64) {
	c.Items = append(c.Items, p)
	c.Total = Total(c.Items)
}
