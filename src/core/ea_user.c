/*-------------------------------------------------------------------------
 *
 * ea_user.c
 *	  StatsigUser parsing and field lookup (Server Core's get_user_value
 *	  and get_unit_id).
 *
 * Accepted shapes: the documented string fields (userID, email, ip,
 * userAgent, country, locale, appVersion) are strings; userID may also
 * be a number (as Server Core's UnitID allows).  customIDs is an object of
 * strings or numbers; custom and privateAttributes are objects of any
 * JSON; statsigEnvironment is an object.  null means absent.  Anything
 * else is an EA_ERR_USER naming the field.  Unknown keys are ignored.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_user.h"
#include "ea_json.h"

#include <string.h>
#include <stdlib.h>

typedef struct ea_user_field
{
	const char *name;
	size_t		offset;
	bool		allow_number;
	int			slot;			/* ea_user_field_slot() of its lower case */
} ea_user_field;

static const ea_user_field ea_user_fields[] = {
	{"userID", offsetof(ea_user, user_id), true, 0},
	{"email", offsetof(ea_user, email), false, 1},
	{"ip", offsetof(ea_user, ip), false, EA_SLOT_IP},
	{"userAgent", offsetof(ea_user, user_agent), false, EA_SLOT_USERAGENT},
	{"country", offsetof(ea_user, country), false, 3},
	{"locale", offsetof(ea_user, locale), false, 4},
	{"appVersion", offsetof(ea_user, app_version), false, 5},
};

#define EA_NFIELDS (sizeof(ea_user_fields) / sizeof(ea_user_fields[0]))

/* The user's objects; customIDs holds ids (strings or numbers only). */
static const char *const ea_user_objects[] = {
	"custom", "privateAttributes", "customIDs", "statsigEnvironment"
};

/*
 * The index in ea_user_fields of a top-level member name, or -1.  Called
 * for every member of every user: the length picks the candidate, one
 * memcmp checks.
 */
int
ea_user_field_index(const char *key, size_t len)
{
	/* by length, then one comparison of a constant size (inlined) */
	switch (len)
	{
		case 2:
			return memcmp(key, "ip", 2) == 0 ? 2 : -1;
		case 5:
			return memcmp(key, "email", 5) == 0 ? 1 : -1;
		case 6:
			return memcmp(key, "userID", 6) == 0 ? 0
				: memcmp(key, "locale", 6) == 0 ? 5 : -1;
		case 7:
			return memcmp(key, "country", 7) == 0 ? 4 : -1;
		case 9:
			return memcmp(key, "userAgent", 9) == 0 ? 3 : -1;
		case 10:
			return memcmp(key, "appVersion", 10) == 0 ? 6 : -1;
		default:
			return -1;
	}
}

/*
 * The ea_user_needs_bit() of every top-level name a user built for these
 * field slots must keep: the fields of the slots and the four objects.
 */
uint64_t
ea_user_top_filter(uint32_t slots)
{
	uint64_t	filter = 0;
	size_t		i;

	for (i = 0; i < EA_NFIELDS; i++)
		if ((slots & (1u << ea_user_fields[i].slot)) != 0)
			filter |= ea_user_needs_bit(ea_user_fields[i].name, strlen(ea_user_fields[i].name));
	for (i = 0; i < sizeof(ea_user_objects) / sizeof(ea_user_objects[0]); i++)
		filter |= ea_user_needs_bit(ea_user_objects[i], strlen(ea_user_objects[i]));
	return filter;
}

/*
 * A top-level field by exact name: its slot (see ea_user_field_slot) and
 * whether numbers are accepted; -1 for other names.
 */
int
ea_user_top_field(const char *key, size_t len, bool *allow_number)
{
	int			i = ea_user_field_index(key, len);

	if (i < 0)
		return -1;
	*allow_number = ea_user_fields[i].allow_number;
	return ea_user_fields[i].slot;
}

/* The user object a top-level member name is, or NULL (by length first). */
const char *
ea_user_object_name(const char *key, size_t len)
{
	switch (len)
	{
		case 6:
			return memcmp(key, "custom", 6) == 0 ? ea_user_objects[0] : NULL;
		case 17:
			return memcmp(key, "privateAttributes", 17) == 0 ? ea_user_objects[1] : NULL;
		case 9:
			return memcmp(key, "customIDs", 9) == 0 ? ea_user_objects[2] : NULL;
		case 18:
			return memcmp(key, "statsigEnvironment", 18) == 0 ? ea_user_objects[3] : NULL;
		default:
			return NULL;
	}
}

static const char *
ea_type_name(const ea_dval *v)
{
	switch (v->type)
	{
		case EA_J_NULL:
			return "null";
		case EA_J_BOOL:
			return "a boolean";
		case EA_J_NUMBER:
			return "a number";
		case EA_J_STRING:
			return "a string";
		case EA_J_ARRAY:
			return "an array";
		case EA_J_OBJECT:
			return "an object";
	}
	return "unknown";
}

static ea_status
ea_user_scalar(ea_user *user, const ea_user_field *f, const ea_dval *v,
			   ea_error *err)
{
	ea_dval    *dst = (ea_dval *) ((char *) user + f->offset);

	if (v->type == EA_J_NULL)
		return EA_OK;
	if (v->type != EA_J_STRING && !(f->allow_number && v->type == EA_J_NUMBER))
	{
		ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
				"Field \"%s\" is %s; it must be a string%s.", f->name,
				ea_type_name(v), f->allow_number ? " or a number" : "");
		ea_set_hint(err, "Pass the user as a JSON object shaped like Statsig's StatsigUser, e.g. {\"userID\": \"u-1\"}.");
		return EA_ERR_USER;
	}
	*dst = *v;
	return EA_OK;
}

/*
 * Set top-level field i (ea_user_field_index) from a value of an accepted
 * type, as ea_user_from_root would; false (nothing set) for any other
 * type, which the caller leaves to ea_user_from_root to report.
 */
bool
ea_user_set_field(ea_user *user, int i, const ea_dval *v)
{
	const ea_user_field *f = &ea_user_fields[i];

	if (v->type == EA_J_NULL)
		return true;
	if (v->type != EA_J_STRING && !(f->allow_number && v->type == EA_J_NUMBER))
		return false;
	*(ea_dval *) ((char *) user + f->offset) = *v;
	return true;
}

/* The name of top-level field i. */
const char *
ea_user_field_name(int i)
{
	return ea_user_fields[i].name;
}

/* An object of values: custom, privateAttributes, customIDs, environment. */
static ea_status
ea_user_kvlist(const char *name, const ea_dval *v, bool ids_only,
			   ea_kvlist *out, ea_error *err)
{
	size_t		i;

	if (v->type == EA_J_NULL)
		return EA_OK;
	if (v->type != EA_J_OBJECT)
	{
		ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
				"Field \"%s\" is %s; it must be an object.", name, ea_type_name(v));
		ea_set_hint(err, "Use an object of key/value pairs, or omit the field.");
		return EA_ERR_USER;
	}
	for (i = 0; ids_only && i < v->nitems; i++)
	{
		ea_jtype	t = v->items[i].type;

		if (t != EA_J_STRING && t != EA_J_NUMBER && t != EA_J_NULL)
		{
			ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
					"Field \"%s.%s\" is %s; ids must be strings or numbers.",
					name, v->keys[i], ea_type_name(&v->items[i]));
			ea_set_hint(err, "Give each custom id as a string.");
			return EA_ERR_USER;
		}
	}
	out->present = true;
	out->n = v->nitems;
	out->keys = v->keys;
	out->items = v->items;
	return EA_OK;
}

static ea_status
ea_user_member(ea_user *user, const char *key, const ea_dval *v, ea_error *err)
{
	size_t		len = strlen(key);
	const char *object;
	int			i;

	if ((i = ea_user_field_index(key, len)) >= 0)
		return ea_user_scalar(user, &ea_user_fields[i], v, err);
	if ((object = ea_user_object_name(key, len)) == NULL)
		return EA_OK;			/* other keys are ignored, as the SDKs do */
	if (object == ea_user_objects[2])
		return ea_user_kvlist(key, v, true, &user->custom_ids, err);
	if (object == ea_user_objects[0])
		return ea_user_kvlist(key, v, false, &user->custom, err);
	if (object == ea_user_objects[1])
		return ea_user_kvlist(key, v, false, &user->private_attributes, err);
	return ea_user_kvlist(key, v, false, &user->environment, err);
}

/* Fill a user from its parsed JSON value, checking every known field. */
ea_status
ea_user_from_root(ea_user *user, const ea_dval *root, ea_error *err)
{
	ea_status	st = EA_OK;
	size_t		i;

	if (root->type != EA_J_OBJECT)
	{
		ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
				"The user is %s, not a JSON object.", ea_type_name(root));
		ea_set_hint(err, "Pass the user as a JSON object such as {\"userID\": \"u-1\"}.");
		return EA_ERR_USER;
	}
	for (i = 0; i < root->nitems && st == EA_OK; i++)
		st = ea_user_member(user, root->keys[i], &root->items[i], err);
	return st;
}

ea_status
ea_user_parse(const char *json, size_t len, ea_user **out, ea_error *err)
{
	ea_user    *user;
	ea_dval		root;
	const char *what;
	size_t		at;
	ea_status	st;

	*out = NULL;
	user = calloc(1, sizeof(ea_user));
	if (user == NULL)
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	if (!ea_json_parse(&user->arena, json, len, &root, &what, &at))
	{
		ea_user_free(user);
		return ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
					   "The user is not valid JSON: %s at byte %zu.", what, at);
	}
	st = ea_user_from_root(user, &root, err);
	if (st != EA_OK)
	{
		ea_user_free(user);
		return st;
	}
	*out = user;
	return EA_OK;
}

void
ea_user_free(ea_user *user)
{
	if (user == NULL)
		return;
	ea_arena_free(&user->arena);
	free(user->spare_builder);
	free(user);
}

/* A member by exact name; the last of duplicate keys wins (serde). */
const ea_dval *
ea_kv_get(const ea_kvlist *list, const char *key)
{
	size_t		i;

	for (i = list->n; i > 0; i--)
		if (list->keys[i - 1][0] == key[0] && strcmp(list->keys[i - 1], key) == 0)
			return &list->items[i - 1];
	return NULL;
}

static const ea_dval *
ea_present(const ea_dval *v)
{
	return v->type == EA_J_NULL && v->str == NULL && !v->has_float ? NULL : v;
}

/* The user's own fields, in slot order. */
static const size_t ea_slot_offsets[] = {
	offsetof(ea_user, user_id), offsetof(ea_user, email), offsetof(ea_user, ip),
	offsetof(ea_user, country), offsetof(ea_user, locale),
	offsetof(ea_user, app_version), offsetof(ea_user, user_agent),
};

int
ea_user_field_slot(const char *lower)
{
	static const char *const names[] = {
		"userid", "email", "ip", "country", "locale", "appversion", "useragent"
	};
	int			i;

	if (lower == NULL)
		return -1;
	for (i = 0; i < 7; i++)
		if (strcmp(lower, names[i]) == 0)
			return i;
	if (strcmp(lower, "user_id") == 0)
		return 10;
	if (strcmp(lower, "app_version") == 0)
		return 15;
	if (strcmp(lower, "user_agent") == 0)
		return 16;
	return -1;
}

/* Server Core's get_user_value: fields, custom, private, aliases. */
const ea_dval *
ea_user_value_at(const ea_user *user, const char *field, const char *lower,
				 int slot)
{
	const ea_dval *v;

	if (field == NULL)
		return NULL;
	if (slot >= 0 && slot < 7 &&
		(v = ea_present((const ea_dval *) ((const char *) user + ea_slot_offsets[slot]))) != NULL)
		return v;
	if ((v = ea_kv_get(&user->custom, field)) != NULL ||
		(v = ea_kv_get(&user->custom, lower)) != NULL ||
		(v = ea_kv_get(&user->private_attributes, field)) != NULL ||
		(v = ea_kv_get(&user->private_attributes, lower)) != NULL)
		return v;
	if (slot >= 10)
		return ea_present((const ea_dval *) ((const char *) user + ea_slot_offsets[slot - 10]));
	return NULL;
}

const ea_dval *
ea_user_value(const ea_user *user, const char *field, const char *lower)
{
	return ea_user_value_at(user, field, lower, ea_user_field_slot(lower));
}

/* Server Core's get_unit_id: userID, else customIDs exact then lower. */
const ea_dval *
ea_user_unit_dval(const ea_user *user, const char *id_type,
				  const char *lower_id_type)
{
	const ea_dval *v;

	if (id_type == NULL)
		return NULL;
	if (lower_id_type[0] == 'u' && strcmp(lower_id_type, "userid") == 0)
		return ea_present(&user->user_id);
	v = ea_kv_get(&user->custom_ids, id_type);
	if (v == NULL)
		v = ea_kv_get(&user->custom_ids, lower_id_type);
	return v;
}

const char *
ea_user_unit_id(const ea_user *user, const char *id_type)
{
	char		lower[256];
	size_t		i;
	const ea_dval *v;

	if (id_type == NULL)
		return NULL;
	for (i = 0; id_type[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char) ((id_type[i] >= 'A' && id_type[i] <= 'Z')
						   ? id_type[i] + 32 : id_type[i]);
	lower[i] = '\0';
	v = ea_user_unit_dval(user, id_type, lower);
	return v != NULL ? v->str : NULL;
}
