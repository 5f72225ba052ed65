export function total(items: number[]): number {
  return items.reduce((a, b) => a + b, 0);
}

export class Cart {
  items: number[] = [];
  total = 0;

  add(price: number): void {
    this.items.push(price);
    this.total = total(this.items);
  }
}
