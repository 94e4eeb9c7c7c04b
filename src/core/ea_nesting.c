/*-------------------------------------------------------------------------
 *
 * ea_nesting.c
 *	  Reject at load a spec that can never be evaluated: one whose every
 *	  evaluation nests deeper than the evaluator allows.
 *
 * The evaluator evaluates every condition of a rule (no short circuit),
 * so evaluating a spec always evaluates the conditions of its first rule
 * (when it has rules and no config mapping).  The first nested evaluation
 * among them -- a pass_gate/fail_gate target or an experiment_group's
 * experiment -- therefore always happens, and always before any nested
 * gate of that evaluation has finished (so no memoised result can stand
 * in for it).  Following these "first nested evaluations" from a spec
 * gives one chain; if it is longer than EA_MAX_NESTING or loops, every
 * evaluation of the spec ends in the nesting error, and the document is
 * refused with a detail naming the spec.
 *
 * Each spec has at most one first nested evaluation, so the chains form
 * a functional graph, walked here without recursion.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_spec.h"
#include "ea_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A spec pointer -> index table (open addressing). */
typedef struct ea_ptr_index
{
	const ea_spec **keys;
	size_t	   *values;
	size_t		mask;
} ea_ptr_index;

static size_t
ea_ptr_slot(const ea_ptr_index *ix, const ea_spec *p)
{
	size_t		h = (size_t) (((uintptr_t) p >> 4) * (uintptr_t) 0x9E3779B97F4A7C15ULL);

	h &= ix->mask;
	while (ix->keys[h] != NULL && ix->keys[h] != p)
		h = (h + 1) & ix->mask;
	return h;
}

/*
 * The spec a spec's evaluation always evaluates first, nested; NULL when
 * there is none or when it cannot be told (a missing spec, a name with
 * config mappings, a missing v2 condition).  *edge says whether a nested
 * evaluation happens at all (it counts as one level even when the spec
 * it names is unknown).
 */
static const ea_spec *
ea_first_nested(const ea_specs *specs, const ea_spec *spec, bool *edge,
				const char **target)
{
	size_t		nrules = (specs->format == 1 && !spec->enabled) ? 0 : spec->nrules;
	const ea_rule *rule;
	size_t		i;

	*edge = false;
	*target = NULL;
	if (nrules == 0)
		return NULL;
	rule = &spec->rules[0];
	for (i = 0; i < rule->ncond; i++)
	{
		const ea_condition *c = rule->conds[i];
		const char *name;
		const ea_map *map;

		if (c == NULL)
			return NULL;		/* unsupported: the rule stops here */
		if (c->ctype == EA_C_PASS_GATE || c->ctype == EA_C_FAIL_GATE)
		{
			name = c->target.type == EA_J_STRING ? c->target.str : "";
			map = &specs->gates;
		}
		else if (c->ctype == EA_C_EXPERIMENT_GROUP && c->field != NULL)
		{
			name = c->field;
			map = &specs->configs;
		}
		else
			continue;
		*edge = true;
		*target = name;
		if (ea_map_get(&specs->overrides, name) != NULL)
			return NULL;
		return ea_map_get(map, name);
	}
	return NULL;
}

static const char *
ea_kind_word(ea_kind kind)
{
	switch (kind)
	{
		case EA_KIND_GATE:
			return "gate";
		case EA_KIND_LAYER:
			return "layer";
		default:
			return "config";
	}
}

/*
 * Fail when some spec's chain of first nested evaluations is longer than
 * EA_MAX_NESTING or returns to a spec it went through.
 */
ea_status
ea_specs_check_nesting(const ea_specs *specs, ea_error *err)
{
	size_t		n = specs->nspecs;
	size_t		cap = 16;
	ea_ptr_index ix;
	int32_t    *len;			/* chain length from the spec; -1 unknown, -2 on the path */
	size_t	   *path;
	size_t		i;
	ea_status	st = EA_OK;

	if (n == 0)
		return EA_OK;
	while (cap < 2 * n)
		cap *= 2;
	ix.keys = calloc(cap, sizeof(ea_spec *));
	ix.values = calloc(cap, sizeof(size_t));
	ix.mask = cap - 1;
	len = malloc(n * sizeof(int32_t));
	path = malloc(n * sizeof(size_t));
	if (ix.keys == NULL || ix.values == NULL || len == NULL || path == NULL)
	{
		st = ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
		goto out;
	}
	for (i = 0; i < n; i++)
	{
		size_t		s = ea_ptr_slot(&ix, specs->all[i]);

		ix.keys[s] = specs->all[i];
		ix.values[s] = i;
		len[i] = -1;
	}

	for (i = 0; i < n && st == EA_OK; i++)
	{
		size_t		depth = 0;
		size_t		cur = i;
		int32_t		tail = 0;

		if (len[i] >= 0)
			continue;
		/* follow the chain until a known length, its end, or a loop */
		for (;;)
		{
			const ea_spec *spec = specs->all[cur];
			const char *target;
			bool		edge;
			const ea_spec *next = ea_first_nested(specs, spec, &edge, &target);
			size_t		s;

			len[cur] = -2;
			path[depth++] = cur;
			if (next == NULL)
			{
				tail = edge ? 1 : 0;
				break;
			}
			s = ea_ptr_slot(&ix, next);
			if (ix.keys[s] == NULL)
			{
				tail = 1;
				break;
			}
			cur = ix.values[s];
			if (len[cur] == -2)
			{
				st = ea_fail(err, EA_ERR_LIMIT, "spec nesting is too deep",
							 "Evaluating %s \"%s\" always evaluates %s \"%s\" again inside itself "
							 "(through the first nested evaluation of each first rule), "
							 "so it would nest deeper than %d levels.",
							 ea_kind_word(specs->all[i]->kind), specs->all[i]->name,
							 ea_kind_word(specs->all[cur]->kind), specs->all[cur]->name,
							 EA_MAX_NESTING);
				ea_set_hint(err, "Break the pass_gate/fail_gate/experiment_group cycle in the document.");
				break;
			}
			if (len[cur] >= 0)
			{
				tail = len[cur] + 1;
				break;
			}
		}
		if (st != EA_OK)
			break;
		/* assign lengths back along the path */
		while (depth > 0)
		{
			size_t		p = path[--depth];

			len[p] = tail;
			if (tail > EA_MAX_NESTING)
			{
				st = ea_fail(err, EA_ERR_LIMIT, "spec nesting is too deep",
							 "Evaluating %s \"%s\" always goes through a chain of %d nested "
							 "gate or experiment evaluations; at most %d are allowed.",
							 ea_kind_word(specs->all[p]->kind), specs->all[p]->name,
							 (int) tail, EA_MAX_NESTING);
				ea_set_hint(err, "Shorten the chain of pass_gate/fail_gate conditions that starts at this spec.");
				break;
			}
			tail++;
		}
	}

out:
	free(ix.keys);
	free(ix.values);
	free(len);
	free(path);
	return st;
}
