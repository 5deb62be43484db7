// sdsim: placeholder until the command-line tool lands.
#include <cstdio>
int main() { std::puts("sdsim"); return 0; }
