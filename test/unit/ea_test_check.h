/*
 * ea_test_check.h
 *	  The check counters and CHECK() of the core's unit test programs.
 *
 * Include it in one test program only (it defines the counters); the
 * program prints "npass passed, nfail failed" at the end.
 */
#ifndef EA_TEST_CHECK_H
#define EA_TEST_CHECK_H

#include <stdio.h>

static int	npass,
			nfail;

/* Count cond; when false, print where and the printf-style message. */
#define CHECK(cond, ...) \
	do { \
		if (cond) npass++; \
		else { nfail++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); printf("\n"); } \
	} while (0)

#endif							/* EA_TEST_CHECK_H */
