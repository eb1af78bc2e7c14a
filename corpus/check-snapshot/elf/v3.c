#include <string.h>
#include <math.h>
int v3(char *d, const char *s, unsigned long n) { memcpy(d, s, n); return (int)sqrt((double)n); }
