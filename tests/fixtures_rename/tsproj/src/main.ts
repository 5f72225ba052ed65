import * as pricing from "./pricing";

console.log(pricing.total([1, 2]));
