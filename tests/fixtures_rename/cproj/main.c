#include <stdio.h>
#include "pricing.h"

int main(void) {
    struct cart c = {0};
    cart_add(&c, 1.0);
    printf("%f %f\n", total(c.items, c.count), c.total);
    return 0;
}
