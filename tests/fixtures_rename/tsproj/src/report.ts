import { Cart, total } from "./pricing";

export class Report {
  total(): string {
    return "report total";
  }

  render(cart: Cart): string {
    return `${total(cart.items)} ${cart.total} ${this.total()}`;
  }
}
