/*
 * ea_test_util.h
 *	  Small helpers shared by the core's test and benchmark drivers.
 */
#ifndef EA_TEST_UTIL_H
#define EA_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* A whole file, NUL-terminated and malloc'd; NULL when unreadable. */
static inline char *
ea_test_read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = n >= 0 ? malloc((size_t) n + 1) : NULL;
	if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t) n;
	return buf;
}

#endif							/* EA_TEST_UTIL_H */
