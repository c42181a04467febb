/* getppid.c: time a tight loop of getppid() system calls and print the cost of one, in ns.
 * Built static (gcc -O2 -static) so that it runs unchanged inside any rootfs.
 * Usage: getppid [CALLS]   (default 5,000,000) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 5000000;
	if (n <= 0) {
		fprintf(stderr, "usage: getppid [CALLS]\n");
		return 2;
	}
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid); /* the raw syscall: no libc caching can elide it */
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("%.2f\n", ns / (double)n);
	return 0;
}
