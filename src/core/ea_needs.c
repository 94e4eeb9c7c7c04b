/*-------------------------------------------------------------------------
 *
 * ea_needs.c
 *	  Which parts of a user a spec can read, so a caller can skip the rest
 *	  when it builds the user (the PostgreSQL layer walks jsonb).
 *
 * The needs of a spec are the union over everything its evaluation can
 * reach: its conditions (user fields, with Server Core's fallbacks to
 * custom and privateAttributes and the aliases; user-agent and IP fields;
 * the environment; unit ids of every idType), nested gates, delegate
 * experiments, experiment_group targets and config mappings.  They are
 * computed on first use and kept in the specs: like the parsed-user
 * derivations, this writes to a shared object, so one ea_specs must not be
 * asked for needs by two threads at once.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_spec.h"
#include "ea_user.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bits of ea_user_needs.slots beyond the seven field slots */
#define EA_NEED_ENVIRONMENT	(1u << 10)

struct ea_user_needs
{
	uint32_t	slots;			/* 1 << field slot, and EA_NEED_* */
	ea_map		members;		/* custom / privateAttributes member names */
	ea_map		ids;			/* customIDs member names */
	uint64_t	members_filter; /* ea_user_needs_bit() of each name in members */
	uint64_t	ids_filter;		/* the same for ids */
	uint64_t	top_filter;		/* ea_user_top_filter(slots) */
};

/* A spec still to walk (the walk keeps a work list: no recursion). */
typedef struct ea_needs_item
{
	const char *name;
	ea_kind		kind;
} ea_needs_item;

typedef struct ea_needs_walk
{
	ea_specs   *specs;
	ea_user_needs *needs;
	ea_map		seen;			/* "<kind>:<name>" already visited */
	ea_arena	keys;			/* those keys */
	ea_needs_item *todo;		/* visited, not walked yet */
	size_t		ntodo;
	size_t		todo_cap;
	bool		failed;
} ea_needs_walk;

/* Mark kind:name visited; false when it already was (or on OOM). */
static bool
ea_needs_visit(ea_needs_walk *w, const char *name, ea_kind kind)
{
	size_t		len = strlen(name);
	char	   *key = ea_arena_alloc(&w->keys, len + 3);

	if (key == NULL)
	{
		w->failed = true;
		return false;
	}
	key[0] = (char) ('0' + (kind == EA_KIND_EXPERIMENT ? EA_KIND_CONFIG : kind));
	key[1] = ':';
	memcpy(key + 2, name, len + 1);
	if (ea_map_get(&w->seen, key) != NULL)
		return false;
	if (!ea_map_put(&w->seen, key, (void *) 1))
	{
		w->failed = true;
		return false;
	}
	return true;
}

static void ea_needs_spec(ea_needs_walk *w, const ea_spec *spec);

/* Queue kind:name for the walk (each name once). */
static void
ea_needs_push(ea_needs_walk *w, const char *name, ea_kind kind)
{
	if (w->ntodo == w->todo_cap)
	{
		size_t		cap = w->todo_cap ? w->todo_cap * 2 : 16;
		ea_needs_item *p = realloc(w->todo, cap * sizeof(ea_needs_item));

		if (p == NULL)
		{
			w->failed = true;
			return;
		}
		w->todo = p;
		w->todo_cap = cap;
	}
	w->todo[w->ntodo].name = name;
	w->todo[w->ntodo].kind = kind;
	w->ntodo++;
}

static void
ea_needs_key(ea_needs_walk *w, ea_map *map, uint64_t *filter, const char *key)
{
	if (key == NULL || ea_map_get(map, key) != NULL)
		return;
	if (!ea_map_put(map, key, (void *) 1))
		w->failed = true;
	*filter |= ea_user_needs_bit(key, strlen(key));
}

/* A user value lookup: the field, custom/private members, aliases. */
static void
ea_needs_field(ea_needs_walk *w, const char *field, const char *lower)
{
	int			slot = ea_user_field_slot(lower);

	if (field == NULL)
		return;
	if (slot >= 0)
		w->needs->slots |= 1u << (slot % 10);
	ea_needs_key(w, &w->needs->members, &w->needs->members_filter, field);
	ea_needs_key(w, &w->needs->members, &w->needs->members_filter, lower);
}

static void
ea_needs_unit(ea_needs_walk *w, const char *id_type, const char *lower)
{
	if (id_type == NULL)
		return;
	if (lower == NULL)
	{
		w->failed = true;		/* out of memory */
		return;
	}
	if (strcmp(lower, "userid") == 0)
		w->needs->slots |= 1u << 0;
	ea_needs_key(w, &w->needs->ids, &w->needs->ids_filter, id_type);
	ea_needs_key(w, &w->needs->ids, &w->needs->ids_filter, lower);
}

static void ea_needs_mappings(ea_needs_walk *w, const char *name, ea_kind kind);

/*
 * Everything evaluating kind:name can reach (mappings apply to any name).
 * Queued, not walked here: a chain of nested gates as long as the
 * document is must not become as deep a recursion.
 */
static void
ea_needs_named(ea_needs_walk *w, const char *name, ea_kind kind)
{
	if (name == NULL || !ea_needs_visit(w, name, kind))
		return;
	ea_needs_push(w, name, kind);
}

/* Walk the queued names until none is left. */
static void
ea_needs_drain(ea_needs_walk *w)
{
	while (w->ntodo > 0 && !w->failed)
	{
		ea_needs_item item = w->todo[--w->ntodo];
		const ea_map *map = item.kind == EA_KIND_GATE ? &w->specs->gates
			: item.kind == EA_KIND_LAYER ? &w->specs->layers : &w->specs->configs;
		const ea_spec *spec;

		ea_needs_mappings(w, item.name, item.kind);
		spec = ea_map_get(map, item.name);
		if (spec != NULL)
			ea_needs_spec(w, spec);
	}
}

static void
ea_needs_condition(ea_needs_walk *w, const ea_condition *c)
{
	ea_needs_unit(w, c->id_type, c->lower_id_type);
	switch (c->ctype)
	{
		case EA_C_PASS_GATE:
		case EA_C_FAIL_GATE:
			ea_needs_named(w, c->target.type == EA_J_STRING ? c->target.str : NULL,
						   EA_KIND_GATE);
			break;
		case EA_C_EXPERIMENT_GROUP:
			ea_needs_named(w, c->field, EA_KIND_EXPERIMENT);
			break;
		case EA_C_UA_BASED:
			ea_needs_field(w, c->field, c->lower_field);
			ea_needs_field(w, "userAgent", "useragent");
			break;
		case EA_C_IP_BASED:
			ea_needs_field(w, c->field, c->lower_field);
			ea_needs_field(w, "ip", "ip");
			break;
		case EA_C_ENVIRONMENT_FIELD:
			w->needs->slots |= EA_NEED_ENVIRONMENT;
			break;
		default:
			ea_needs_field(w, c->field, c->lower_field);
			break;
	}
}

static void
ea_needs_rule(ea_needs_walk *w, const ea_rule *rule)
{
	size_t		i;

	ea_needs_unit(w, rule->id_type, rule->lower_id_type);
	for (i = 0; i < rule->ncond; i++)
		if (rule->conds[i] != NULL)
			ea_needs_condition(w, rule->conds[i]);
	if (rule->config_delegate != NULL)
		ea_needs_named(w, rule->config_delegate, EA_KIND_EXPERIMENT);
}

/* Config mappings of a name: their override rules and target configs. */
static void
ea_needs_mappings(ea_needs_walk *w, const char *name, ea_kind kind)
{
	const ea_mapping_list *ml = ea_map_get(&w->specs->overrides, name);
	size_t		i,
				j;

	for (i = 0; ml != NULL && i < ml->n; i++)
	{
		for (j = 0; j < ml->items[i].nrules; j++)
		{
			const ea_rule *r = ea_map_get(&w->specs->override_rules,
										  ml->items[i].rules[j].rule_name);

			if (r != NULL)
				ea_needs_rule(w, r);
		}
		ea_needs_named(w, ml->items[i].new_config_name, kind);
	}
}

/* A spec's own idType, rules and delegates (called once per spec). */
static void
ea_needs_spec(ea_needs_walk *w, const ea_spec *spec)
{
	size_t		i;

	if (spec->id_type != NULL)
		ea_needs_unit(w, spec->id_type, ea_lower_dup(&w->specs->arena, spec->id_type));
	for (i = 0; i < spec->nrules; i++)
		ea_needs_rule(w, &spec->rules[i]);
}

/*
 * The needs of the named spec (kept for later calls), or NULL when they
 * are unknown -- then every part of the user counts as needed.  A name
 * the document does not have needs nothing but its config mappings.
 */
const ea_user_needs *
ea_specs_user_needs(const ea_specs *cspecs, ea_kind kind, const char *name)
{
	ea_specs   *specs = (ea_specs *) cspecs;
	ea_map	   *memo = &specs->needs[kind];
	ea_user_needs *needs = ea_map_get(memo, name);
	ea_needs_walk w;
	char	   *key;

	if (needs != NULL)
		return needs;
	needs = calloc(1, sizeof(ea_user_needs));
	key = ea_arena_strdup(&specs->arena, name);
	if (needs == NULL || key == NULL)
	{
		free(needs);
		return NULL;
	}
	memset(&w, 0, sizeof(w));
	w.specs = specs;
	w.needs = needs;
	ea_needs_named(&w, name, kind);
	ea_needs_drain(&w);
	needs->top_filter = ea_user_top_filter(needs->slots);
	free(w.todo);
	ea_map_free(&w.seen);
	ea_arena_free(&w.keys);
	if (w.failed || w.keys.failed || !ea_map_put(memo, key, needs))
	{
		ea_user_needs_free(needs);
		return NULL;
	}
	return needs;
}

void
ea_user_needs_free(ea_user_needs *needs)
{
	if (needs == NULL)
		return;
	ea_map_free(&needs->members);
	ea_map_free(&needs->ids);
	free(needs);
}

static bool
ea_needs_has(const ea_map *map, uint64_t filter, const char *key, size_t len)
{
	return (filter & ea_user_needs_bit(key, len)) != 0 &&
		ea_map_get_n(map, key, len) != NULL;
}

/*
 * The spec reads the member, or it must be built anyway because its type
 * would make the user invalid: a top-level field that is not a string (or
 * a number, for userID) or null, a customIDs member that is neither a
 * string, a number nor null, a user object that is not an object.  Other
 * top-level members are never read.
 */
bool
ea_user_needs_member(const ea_user_needs *needs, const char *object,
					 const char *key, size_t len, ea_member_type type)
{
	bool		scalar_ok = type == EA_MT_STRING || type == EA_MT_NULL;
	bool		allow_number;
	int			slot;

	if (needs == NULL)
		return true;
	if (object == NULL)
	{
		if ((slot = ea_user_top_field(key, len, &allow_number)) >= 0)
			return (needs->slots & (1u << slot)) != 0 ||
				!(scalar_ok || (allow_number && type == EA_MT_NUMBER));
		return ea_user_object_name(key, len) != NULL;
	}
	/* custom, privateAttributes, customIDs or statsigEnvironment */
	if (object[0] == 'c' && object[6] == 'I')
		return !(scalar_ok || type == EA_MT_NUMBER) ||
			ea_needs_has(&needs->ids, needs->ids_filter, key, len);
	if (object[0] == 's')
		return (needs->slots & EA_NEED_ENVIRONMENT) != 0;
	return ea_needs_has(&needs->members, needs->members_filter, key, len);
}

uint64_t
ea_user_needs_top_filter(const ea_user_needs *needs)
{
	return needs == NULL ? ~UINT64_C(0) : needs->top_filter;
}

uint64_t
ea_user_needs_filter(const ea_user_needs *needs, const char *object)
{
	if (needs == NULL)
		return ~UINT64_C(0);
	/* the same tests as ea_user_needs_member() makes per member */
	if (object[0] == 'c' && object[6] == 'I')
		return needs->ids_filter;
	if (object[0] == 's')
		return (needs->slots & EA_NEED_ENVIRONMENT) != 0 ? ~UINT64_C(0) : 0;
	return needs->members_filter;
}

/* The builder's number rule: serde_json refuses numbers beyond f64. */
bool
ea_user_number_ok(const char *text, size_t len)
{
	char		buf[64];
	char	   *copy = buf;
	bool		ok;

	if (len >= sizeof(buf) && (copy = malloc(len + 1)) == NULL)
		return false;			/* unknown: let the builder decide */
	memcpy(copy, text, len);
	copy[len] = '\0';
	ok = isfinite(strtod(copy, NULL));
	if (copy != buf)
		free(copy);
	return ok;
}

/*
 * Does a user built with these needs hold its unit id of id_type?  (NULL
 * needs: the whole user was built.)
 */
bool
ea_user_needs_unit(const ea_user_needs *needs, const char *id_type)
{
	char		lower[256];
	size_t		i;

	if (needs == NULL)
		return true;
	if (id_type == NULL)
		return false;
	for (i = 0; id_type[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char) ((id_type[i] >= 'A' && id_type[i] <= 'Z')
						   ? id_type[i] + 32 : id_type[i]);
	if (id_type[i] != '\0')
		return false;			/* longer than any id type a spec names */
	lower[i] = '\0';
	if (strcmp(lower, "userid") == 0)
		return (needs->slots & 1u) != 0;
	return ea_map_get(&needs->ids, id_type) != NULL &&
		ea_map_get(&needs->ids, lower) != NULL;
}
