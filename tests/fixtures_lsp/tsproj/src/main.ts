import { Shape, totalArea } from "./shapes";

class Square implements Shape {
  constructor(private side: number) {}
  area(): number {
    return this.side * this.side;
  }
}

export const total: number = totalArea([new Square(2), new Square(3)]);
