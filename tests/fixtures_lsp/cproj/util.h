#ifndef UTIL_H
#define UTIL_H
int square(int n);
#endif
