#ifndef PRICING_H
#define PRICING_H
struct cart {
    double items[8];
    int count;
    double total;
};
double total(const double *items, int count);
void cart_add(struct cart *c, double price);
#endif
