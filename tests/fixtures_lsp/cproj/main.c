#include "util.h"

int square(int n) { return n * n; }

int main(void) {
  return square(3) - 9;
}
