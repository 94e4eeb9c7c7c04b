/*
 * ea_test_util.h
 *	  Small helpers shared by the core's test and benchmark drivers.
 */
#ifndef EA_TEST_UTIL_H
#define EA_TEST_UTIL_H

#include <stdarg.h>
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

/* A growable string, NUL-terminated once anything was printed into it. */
typedef struct ea_test_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} ea_test_buf;

/* Append printf-style text; aborts when out of memory. */
static inline void
ea_test_printf(ea_test_buf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;

	for (;;)
	{
		va_start(ap, fmt);
		n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (b->data && (size_t) n < b->cap - b->len)
		{
			b->len += (size_t) n;
			return;
		}
		b->cap = (b->cap + (size_t) n + 1) * 2;
		if ((b->data = realloc(b->data, b->cap)) == NULL)
			abort();
	}
}

#endif							/* EA_TEST_UTIL_H */
