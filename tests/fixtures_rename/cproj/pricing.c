#include "pricing.h"

double total(const double *items, int count) {
    double sum = 0;
    for (int i = 0; i < count; i++) sum += items[i];
    return sum;
}

void cart_add(struct cart *c, double price) {
    c->items[c->count++] = price;
    c->total = total(c->items, c->count);
}
