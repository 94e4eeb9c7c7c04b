/*-------------------------------------------------------------------------
 *
 * ea_util.c
 *	  Arena allocator, string hash map, byte buffer and error reports.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EA_ARENA_BLOCK 65536
#define EA_ARENA_FIRST 8192		/* blocks double from here up to BLOCK */

/* The strictest alignment any allocation needs (C99 has no max_align_t). */
typedef union ea_align
{
	long double ld;
	long long	ll;
	void	   *p;
	double		d;
} ea_align;

struct ea_arena_block
{
	ea_arena_block *next;
	size_t		used;
	size_t		size;
	/* payload follows, suitably aligned */
	ea_align	data[];
};

/* Allocate suitably aligned memory owned by the arena, not zeroed. */
void *
ea_arena_alloc_raw(ea_arena *arena, size_t size)
{
	ea_arena_block *b = arena->head;
	size_t		align = sizeof(ea_align);
	size_t		need = (size + align - 1) & ~(align - 1);
	char	   *p;

	if (need == 0)
		need = align;
	if (b == NULL || b->size - b->used < need)
	{
		size_t		bsize = b ? b->size * 2 : EA_ARENA_FIRST;

		if (bsize > EA_ARENA_BLOCK)
			bsize = EA_ARENA_BLOCK;
		if (bsize < need)
			bsize = need;

		b = malloc(sizeof(ea_arena_block) + bsize);
		if (b == NULL)
		{
			arena->failed = true;
			return NULL;
		}
		b->used = 0;
		b->size = bsize;
		b->next = arena->head;
		arena->head = b;
	}
	p = (char *) b->data + b->used;
	b->used += need;
	return p;
}

/* Allocate zeroed, suitably aligned memory owned by the arena. */
void *
ea_arena_alloc(ea_arena *arena, size_t size)
{
	void	   *p = ea_arena_alloc_raw(arena, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

char *
ea_arena_strndup(ea_arena *arena, const char *s, size_t len)
{
	char	   *p = ea_arena_alloc_raw(arena, len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
ea_arena_strdup(ea_arena *arena, const char *s)
{
	return ea_arena_strndup(arena, s, strlen(s));
}

/*
 * Forget everything allocated, keeping the first block for reuse (an
 * object rebuilt over and over then costs no malloc).
 */
void
ea_arena_reset(ea_arena *arena)
{
	ea_arena_block *b = arena->head;

	while (b != NULL && b->next != NULL)
	{
		ea_arena_block *next = b->next;

		free(b);
		b = next;
	}
	if (b != NULL)
		b->used = 0;
	arena->head = b;
	arena->failed = false;
}

void
ea_arena_free(ea_arena *arena)
{
	ea_arena_block *b = arena->head;

	while (b != NULL)
	{
		ea_arena_block *next = b->next;

		free(b);
		b = next;
	}
	arena->head = NULL;
}

/*
 * A hash for in-memory tables (spec names, map keys, cache slots): eight
 * bytes per multiply instead of FNV's one, in four independent lanes for
 * keys of 32 bytes and more (a 100-byte user agent, a 200-byte result
 * key).  Not for anything stored or compared across processes.
 */
uint64_t
ea_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t	h = 0x9E3779B97F4A7C15ULL ^ ((uint64_t) len * 0xFF51AFD7ED558CCDULL);
	uint64_t	w;
	uint32_t	lo,
				hi;
	size_t		n = len;

	if (len < 8)
	{
		/* short keys (field names): two overlapping loads, or three bytes */
		if (len >= 4)
		{
			memcpy(&lo, p, 4);
			memcpy(&hi, p + len - 4, 4);
			w = ((uint64_t) hi << 32) | lo;
		}
		else if (len > 0)
			w = ((uint64_t) p[0] << 16) | ((uint64_t) p[len / 2] << 8) | p[len - 1];
		else
			w = 0;
		h = (h ^ w) * 0xC2B2AE3D27D4EB4FULL;
	}
	else
	{
		if (n >= 32)
		{
			/*
			 * Long keys (a user agent, a result key): four independent
			 * lanes, so the multiplies overlap instead of waiting on each
			 * other, folded into h before the tail.
			 */
			uint64_t	lane[4] = {h, h ^ 0x2545F4914F6CDD1DULL,
				h ^ 0x9FB21C651E98DF25ULL, h ^ 0xD6E8FEB86659FD93ULL};
			int			i;

			while (n >= 32)
			{
				for (i = 0; i < 4; i++)
				{
					memcpy(&w, p + 8 * i, 8);
					lane[i] = (lane[i] ^ w) * 0xC2B2AE3D27D4EB4FULL;
					lane[i] ^= lane[i] >> 31;
				}
				p += 32;
				n -= 32;
			}
			for (i = 0; i < 4; i++)
			{
				h = (h ^ lane[i]) * 0xC2B2AE3D27D4EB4FULL;
				h ^= h >> 31;
			}
		}
		while (n >= 8)
		{
			memcpy(&w, p, 8);
			h = (h ^ w) * 0xC2B2AE3D27D4EB4FULL;
			h ^= h >> 31;
			p += 8;
			n -= 8;
		}
		if (n > 0)
		{
			/* the last eight bytes, overlapping what was hashed (len >= 8) */
			memcpy(&w, p + n - 8, 8);
			h = (h ^ w) * 0xC2B2AE3D27D4EB4FULL;
		}
	}
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDULL;
	h ^= h >> 29;
	return h;
}

static uint64_t
ea_str_hash(const char *s)
{
	return ea_hash_bytes(s, strlen(s));
}

static bool
ea_map_grow(ea_map *map)
{
	size_t		newcap = map->cap ? map->cap * 2 : 16;
	ea_map_entry *slots = calloc(newcap, sizeof(ea_map_entry));
	size_t		i;

	if (slots == NULL)
		return false;
	for (i = 0; i < map->cap; i++)
	{
		const char *key = map->slots[i].key;
		size_t		j;

		if (key == NULL)
			continue;
		j = ea_str_hash(key) & (newcap - 1);
		while (slots[j].key != NULL)
			j = (j + 1) & (newcap - 1);
		slots[j] = map->slots[i];
	}
	free(map->slots);
	map->slots = slots;
	map->cap = newcap;
	return true;
}

/* Insert or replace; the key must outlive the map. */
bool
ea_map_put(ea_map *map, const char *key, void *value)
{
	size_t		j;

	if ((map->count + 1) * 4 > map->cap * 3 && !ea_map_grow(map))
		return false;
	j = ea_str_hash(key) & (map->cap - 1);
	while (map->slots[j].key != NULL)
	{
		if (strcmp(map->slots[j].key, key) == 0)
		{
			map->slots[j].value = value;
			return true;
		}
		j = (j + 1) & (map->cap - 1);
	}
	map->slots[j].key = key;
	map->slots[j].value = value;
	map->count++;
	return true;
}

void *
ea_map_get(const ea_map *map, const char *key)
{
	size_t		j;

	if (map->cap == 0 || key == NULL)
		return NULL;
	j = ea_str_hash(key) & (map->cap - 1);
	while (map->slots[j].key != NULL)
	{
		if (strcmp(map->slots[j].key, key) == 0)
			return map->slots[j].value;
		j = (j + 1) & (map->cap - 1);
	}
	return NULL;
}

/* As ea_map_get, for a key of len bytes that need not end in a NUL. */
void *
ea_map_get_n(const ea_map *map, const char *key, size_t len)
{
	size_t		j;

	if (map->cap == 0 || key == NULL || memchr(key, '\0', len) != NULL)
		return NULL;			/* no stored key has a NUL inside */
	j = ea_hash_bytes(key, len) & (map->cap - 1);
	while (map->slots[j].key != NULL)
	{
		if (strncmp(map->slots[j].key, key, len) == 0 && map->slots[j].key[len] == '\0')
			return map->slots[j].value;
		j = (j + 1) & (map->cap - 1);
	}
	return NULL;
}

void
ea_map_free(ea_map *map)
{
	free(map->slots);
	map->slots = NULL;
	map->cap = map->count = 0;
}

void
ea_buf_append(ea_buf *buf, const char *s, size_t len)
{
	if (buf->failed)
		return;
	if (buf->len + len + 1 > buf->cap)
	{
		size_t		cap = buf->cap ? buf->cap : 256;
		char	   *data;

		while (cap < buf->len + len + 1)
			cap *= 2;
		data = realloc(buf->data, cap);
		if (data == NULL)
		{
			buf->failed = true;
			return;
		}
		buf->data = data;
		buf->cap = cap;
	}
	memcpy(buf->data + buf->len, s, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

void
ea_buf_puts(ea_buf *buf, const char *s)
{
	ea_buf_append(buf, s, strlen(s));
}

static ea_status ea_vfail(ea_error *err, ea_status code, const char *message,
						  const char *hint, const char *detail_fmt, va_list ap)
			__attribute__((format(printf, 5, 0)));

/* Fill an error report with a hint (or none) and a formatted detail. */
static ea_status
ea_vfail(ea_error *err, ea_status code, const char *message, const char *hint,
		 const char *detail_fmt, va_list ap)
{
	if (err == NULL)
		return code;
	err->code = code;
	snprintf(err->message, sizeof(err->message), "%s", message);
	err->detail[0] = '\0';
	snprintf(err->hint, sizeof(err->hint), "%s", hint ? hint : "");
	if (detail_fmt != NULL)
		vsnprintf(err->detail, sizeof(err->detail), detail_fmt, ap);
	return code;
}

/* Fill an error report; always returns code, for "return ea_fail(...)". */
ea_status
ea_fail(ea_error *err, ea_status code, const char *message,
		const char *detail_fmt,...)
{
	va_list		ap;

	va_start(ap, detail_fmt);
	code = ea_vfail(err, code, message, NULL, detail_fmt, ap);
	va_end(ap);
	return code;
}

/* The same with a hint (NULL: none). */
ea_status
ea_fail_hint(ea_error *err, ea_status code, const char *message,
			 const char *hint, const char *detail_fmt,...)
{
	va_list		ap;

	va_start(ap, detail_fmt);
	code = ea_vfail(err, code, message, hint, detail_fmt, ap);
	va_end(ap);
	return code;
}

void
ea_set_hint(ea_error *err, const char *hint)
{
	if (err != NULL)
		snprintf(err->hint, sizeof(err->hint), "%s", hint);
}
