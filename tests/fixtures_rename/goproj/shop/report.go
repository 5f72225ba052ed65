package shop

import "fmt"

// Report renders carts.
type Report struct{}

// Total is a method with the same name.
func (r Report) Total() string { return "report total" }

// Render shows a cart.
func (r Report) Render(c Cart) string {
	return fmt.Sprint(Total(c.Items), c.Total, r.Total())
}
