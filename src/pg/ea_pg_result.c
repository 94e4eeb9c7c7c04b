/*-------------------------------------------------------------------------
 *
 * ea_pg_result.c
 *	  Evaluation results as jsonb, built directly (no JSON text round trip).
 *
 * The core reports a result through ea_result_get_view(); the fields are
 * pushed into a JsonbParseState.  A config's value is JSON text owned by
 * the compiled specs: each distinct value is parsed to jsonb once per
 * loaded document and kept in a small per-backend cache, reset whenever
 * the spec cache is.  (Values a result owns itself -- persisted values,
 * merged layer parameters -- are parsed per call.)
 *
 * Whole results are memoised too.  A result is determined by its view:
 * the rule that matched, the value, the exposures of nested gates, ...
 * Many users share one (everybody in the same group with the same holdout
 * outcomes), so the finished jsonb is kept in a small direct-mapped cache
 * keyed by every field of the view.  The key holds string pointers into
 * the compiled specs, so only results whose strings all belong to the
 * specs are cached, and the cache is reset with the spec cache.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

typedef struct EaValueEntry
{
	const char *key;			/* the core's value text (pointer identity) */
	Jsonb	   *value;
} EaValueEntry;

static HTAB *ea_value_cache = NULL;
static MemoryContext ea_value_context = NULL;

#define EA_RESULT_SLOTS 1024

typedef struct EaResultSlot
{
	char	   *key;			/* NULL: empty */
	Size		keylen;
	Jsonb	   *value;
	bool		newer;			/* filled after the other way of its set */
} EaResultSlot;

static EaResultSlot *ea_result_slots = NULL;

/* Forget every cached value: the specs they came from are gone. */
void
ea_pg_result_cache_reset(void)
{
	if (ea_value_context != NULL)
		MemoryContextReset(ea_value_context);
	ea_value_cache = NULL;
	ea_result_slots = NULL;
}

static HTAB *
ea_pg_value_cache(void)
{
	HASHCTL		ctl;

	if (ea_value_cache != NULL)
		return ea_value_cache;
	if (ea_value_context == NULL)
		ea_value_context = AllocSetContextCreate(TopMemoryContext,
												 "experiment_assign result values",
												 ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(const char *);
	ctl.entrysize = sizeof(EaValueEntry);
	ctl.hcxt = ea_value_context;
	ea_value_cache = hash_create("experiment_assign result values", 256, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	return ea_value_cache;
}

static Jsonb *
ea_pg_parse_value(const char *json)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}

/* The value object as jsonb; from the cache when the specs own it. */
static Jsonb *
ea_pg_value_jsonb(const char *json, bool stable)
{
	EaValueEntry *entry;
	bool		found;
	MemoryContext old;

	if (!stable)
		return ea_pg_parse_value(json);
	entry = hash_search(ea_pg_value_cache(), &json, HASH_ENTER, &found);
	if (!found)
	{
		entry->value = NULL;
		old = MemoryContextSwitchTo(ea_value_context);
		PG_TRY();
		{
			entry->value = ea_pg_parse_value(json);
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(old);
			hash_search(ea_value_cache, &json, HASH_REMOVE, NULL);
			PG_RE_THROW();
		}
		PG_END_TRY();
		MemoryContextSwitchTo(old);
	}
	return entry->value;
}

static void
ea_push_key(JsonbParseState **st, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) key;
	v.val.string.len = strlen(key);
	pushJsonbValue(st, WJB_KEY, &v);
}

static void
ea_push_string(JsonbParseState **st, JsonbIteratorToken seq, const char *s)
{
	JsonbValue	v;

	if (s == NULL)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.val = (char *) s;
		v.val.string.len = strlen(s);
	}
	pushJsonbValue(st, seq, &v);
}

static void
ea_push_bool(JsonbParseState **st, int value)
{
	JsonbValue	v;

	if (value < 0)
		v.type = jbvNull;
	else
	{
		v.type = jbvBool;
		v.val.boolean = value != 0;
	}
	pushJsonbValue(st, WJB_VALUE, &v);
}

static void
ea_push_jsonb(JsonbParseState **st, Jsonb *jb)
{
	JsonbValue	v;

	v.type = jbvBinary;
	v.val.binary.data = &jb->root;
	v.val.binary.len = VARSIZE(jb) - VARHDRSZ;
	pushJsonbValue(st, WJB_VALUE, &v);
}

static void
ea_push_exposures(JsonbParseState **st, const ea_result *r, bool undelegated,
				  size_t n)
{
	size_t		i;

	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		const char *gate,
				   *rule_id;
		bool		value;

		ea_result_get_exposure(r, undelegated, i, &gate, &value, &rule_id);
		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		ea_push_key(st, "gate");
		ea_push_string(st, WJB_VALUE, gate);
		ea_push_key(st, "gateValue");
		ea_push_string(st, WJB_VALUE, value ? "true" : "false");
		ea_push_key(st, "ruleID");
		ea_push_string(st, WJB_VALUE, rule_id);
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

static void
ea_push_value(JsonbParseState **st, const ea_result_view *v)
{
	if (v->kind == EA_KIND_GATE)
		ea_push_bool(st, v->bool_value);
	else if (v->value_json == NULL)
	{
		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	else
		ea_push_jsonb(st, ea_pg_value_jsonb(v->value_json, v->value_is_stable));
}

static void
ea_push_layer_fields(JsonbParseState **st, const ea_result *r,
					 const ea_result_view *v)
{
	size_t		i;

	ea_push_key(st, "allocated_experiment_name");
	ea_push_string(st, WJB_VALUE, v->allocated_experiment_name);
	ea_push_key(st, "explicit_parameters");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < v->nexplicit; i++)
		ea_push_string(st, WJB_ELEM, v->explicit_params[i]);
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
	ea_push_key(st, "undelegated_secondary_exposures");
	ea_push_exposures(st, r, true, v->nundelegated);
}

/* ---- the memo of whole results ---- */

/*
 * A result's key, built on the stack (a few hundred bytes; palloc'd only
 * when longer): it is made for every result, so field by field appends
 * must be cheap.
 */
typedef struct EaKey
{
	char	   *data;
	Size		len;
	Size		cap;
	char		local[512];
} EaKey;

static void
ea_key_init(EaKey *key)
{
	key->data = key->local;
	key->len = 0;
	key->cap = sizeof(key->local);
}

static void
ea_key_grow(EaKey *key, Size need)
{
	Size		cap = key->cap * 2;
	char	   *data;

	while (cap < key->len + need)
		cap *= 2;
	data = palloc(cap);
	memcpy(data, key->data, key->len);
	if (key->data != key->local)
		pfree(key->data);
	key->data = data;
	key->cap = cap;
}

static inline void
ea_key_add(EaKey *key, const void *data, Size len)
{
	if (key->len + len > key->cap)
		ea_key_grow(key, len);
	memcpy(key->data + key->len, data, len);
	key->len += len;
}

static void
ea_key_free(EaKey *key)
{
	if (key->data != key->local)
		pfree(key->data);
}

static void
ea_key_exposures(EaKey *key, const ea_result *r, bool undelegated, size_t n)
{
	size_t		i;

	ea_key_add(key, &n, sizeof(n));
	for (i = 0; i < n; i++)
	{
		const char *gate,
				   *rule_id;
		bool		value;

		ea_result_get_exposure(r, undelegated, i, &gate, &value, &rule_id);
		ea_key_add(key, &gate, sizeof(gate));
		ea_key_add(key, &rule_id, sizeof(rule_id));
		ea_key_add(key, &value, sizeof(value));
	}
}

/*
 * The key of a result: every field of its view (strings by pointer, the
 * name by content), or false when the result owns strings of its own.
 */
static bool
ea_result_key(const ea_result *r, const ea_result_view *v, EaKey *key)
{
	if (v->kind != EA_KIND_GATE && v->value_json != NULL && !v->value_is_stable)
		return false;
	if (strcmp(v->reason, "Persisted") == 0)
		return false;
	ea_key_add(key, &v->kind, sizeof(v->kind));
	ea_key_add(key, &v->bool_value, sizeof(v->bool_value));
	ea_key_add(key, &v->value_json, sizeof(v->value_json));
	ea_key_add(key, &v->rule_id, sizeof(v->rule_id));
	ea_key_add(key, &v->group_name, sizeof(v->group_name));
	ea_key_add(key, &v->id_type, sizeof(v->id_type));
	ea_key_add(key, &v->reason, sizeof(v->reason));
	ea_key_add(key, &v->is_experiment_group, sizeof(v->is_experiment_group));
	ea_key_add(key, &v->is_experiment_active, sizeof(v->is_experiment_active));
	ea_key_add(key, &v->allocated_experiment_name, sizeof(v->allocated_experiment_name));
	ea_key_add(key, &v->nexplicit, sizeof(v->nexplicit));
	ea_key_add(key, &v->explicit_params, sizeof(v->explicit_params));
	ea_key_add(key, &v->config_version, sizeof(v->config_version));
	ea_key_exposures(key, r, false, v->nexposures);
	ea_key_exposures(key, r, true, v->nundelegated);
	ea_key_add(key, v->name, strlen(v->name) + 1);
	return true;
}

/*
 * The slot of a key: two-way set associative, so two frequent results
 * whose keys happen to share a set do not evict each other on every call
 * (keys hold pointers: where they fall changes from build to build).
 * Returns the slot holding the key, or NULL and in *victim the slot to
 * fill: an empty one of the set, else the one not filled last.
 */
static EaResultSlot *
ea_result_slot(const EaKey *key, EaResultSlot **victim)
{
	uint64		h = ea_hash_bytes(key->data, key->len);
	EaResultSlot *set;
	int			i;

	if (ea_result_slots == NULL)
	{
		(void) ea_pg_value_cache();		/* makes ea_value_context */
		ea_result_slots = MemoryContextAllocZero(ea_value_context,
												 sizeof(EaResultSlot) * EA_RESULT_SLOTS);
	}
	set = &ea_result_slots[(h % (EA_RESULT_SLOTS / 2)) * 2];
	for (i = 0; i < 2; i++)
		if (set[i].key != NULL && set[i].keylen == key->len &&
			memcmp(set[i].key, key->data, key->len) == 0)
			return &set[i];
	*victim = set[0].key == NULL ? &set[0]
		: set[1].key == NULL ? &set[1]
		: set[0].newer ? &set[1] : &set[0];
	return NULL;
}

static Jsonb *
ea_copy_jsonb(const Jsonb *jb)
{
	Jsonb	   *copy = palloc(VARSIZE(jb));

	memcpy(copy, jb, VARSIZE(jb));
	return copy;
}

static Jsonb *ea_pg_result_build(const ea_result *r, const ea_result_view *v);

/*
 * The result as jsonb, with the same fields as ea_result_json() writes
 * (checked by the regress tests, which compare both).  The returned value
 * is palloc'd in the current context.
 */
Jsonb *
ea_pg_result_jsonb(const ea_result *r)
{
	ea_result_view v;
	EaKey		key;
	EaResultSlot *slot;
	EaResultSlot *victim;
	EaResultSlot *other;
	Jsonb	   *built;

	ea_result_get_view(r, &v);
	ea_key_init(&key);
	if (!ea_result_key(r, &v, &key))
	{
		ea_key_free(&key);
		return ea_pg_result_build(r, &v);
	}
	if ((slot = ea_result_slot(&key, &victim)) != NULL)
	{
		ea_key_free(&key);
		return ea_copy_jsonb(slot->value);
	}
	slot = victim;
	built = ea_pg_result_build(r, &v);
	if (slot->key != NULL)
	{
		pfree(slot->key);
		pfree(slot->value);
		slot->key = NULL;		/* empty until both copies exist */
	}
	{
		char	   *k = MemoryContextAlloc(ea_value_context, key.len);
		Jsonb	   *val = MemoryContextAlloc(ea_value_context, VARSIZE(built));

		memcpy(k, key.data, key.len);
		memcpy(val, built, VARSIZE(built));
		slot->value = val;
		slot->keylen = key.len;
		slot->key = k;
		/* the other way of the set is now the older one */
		slot->newer = true;
		other = ((slot - ea_result_slots) % 2 == 0) ? slot + 1 : slot - 1;
		other->newer = false;
	}
	ea_key_free(&key);
	return built;
}

/* Build the jsonb of a result from its view. */
static Jsonb *
ea_pg_result_build(const ea_result *r, const ea_result_view *vp)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;
	ea_result_view v = *vp;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	ea_push_key(&st, "name");
	ea_push_string(&st, WJB_VALUE, v.name);
	ea_push_key(&st, "value");
	ea_push_value(&st, &v);
	ea_push_key(&st, "rule_id");
	ea_push_string(&st, WJB_VALUE, v.rule_id);
	ea_push_key(&st, "group_name");
	ea_push_string(&st, WJB_VALUE, v.group_name);
	ea_push_key(&st, "id_type");
	ea_push_string(&st, WJB_VALUE, v.id_type);
	ea_push_key(&st, "reason");
	ea_push_string(&st, WJB_VALUE, v.reason);
	ea_push_key(&st, "secondary_exposures");
	ea_push_exposures(&st, r, false, v.nexposures);
	if (v.kind == EA_KIND_EXPERIMENT || v.kind == EA_KIND_LAYER)
	{
		ea_push_key(&st, "is_experiment_group");
		ea_push_bool(&st, v.is_experiment_group);
		ea_push_key(&st, "is_experiment_active");
		ea_push_bool(&st, v.is_experiment_active);
	}
	if (v.kind == EA_KIND_LAYER)
		ea_push_layer_fields(&st, r, &v);
	if (v.config_version >= 0)
	{
		JsonbValue	num;

		ea_push_key(&st, "config_version");
		num.type = jbvNumeric;
		num.val.numeric = int64_to_numeric(v.config_version);
		pushJsonbValue(&st, WJB_VALUE, &num);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}
