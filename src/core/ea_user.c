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
#include "ea_internal.h"

#include <string.h>
#include <stdlib.h>

typedef struct ea_user_field
{
	const char *name;
	size_t		offset;
	bool		allow_number;
} ea_user_field;

static const ea_user_field ea_user_fields[] = {
	{"userID", offsetof(ea_user, user_id), true},
	{"email", offsetof(ea_user, email), false},
	{"ip", offsetof(ea_user, ip), false},
	{"userAgent", offsetof(ea_user, user_agent), false},
	{"country", offsetof(ea_user, country), false},
	{"locale", offsetof(ea_user, locale), false},
	{"appVersion", offsetof(ea_user, app_version), false},
};

#define EA_NFIELDS (sizeof(ea_user_fields) / sizeof(ea_user_fields[0]))

static const char *
ea_json_type_name(json_object *v)
{
	switch (json_object_get_type(v))
	{
		case json_type_null:
			return "null";
		case json_type_boolean:
			return "a boolean";
		case json_type_int:
		case json_type_double:
			return "a number";
		case json_type_string:
			return "a string";
		case json_type_array:
			return "an array";
		case json_type_object:
			return "an object";
	}
	return "unknown";
}

static ea_status
ea_user_scalar(ea_user *user, const ea_user_field *f, json_object *v,
			   ea_error *err)
{
	ea_dval    *dst = (ea_dval *) ((char *) user + f->offset);
	bool		is_num = json_object_is_type(v, json_type_int) ||
		json_object_is_type(v, json_type_double);

	if (v == NULL)
		return EA_OK;
	if (!json_object_is_type(v, json_type_string) && !(f->allow_number && is_num))
	{
		ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
				"Field \"%s\" is %s; it must be a string%s.", f->name,
				ea_json_type_name(v), f->allow_number ? " or a number" : "");
		ea_set_hint(err, "Pass the user as a JSON object shaped like Statsig's StatsigUser, e.g. {\"userID\": \"u-1\"}.");
		return EA_ERR_USER;
	}
	if (!ea_dval_from_json(&user->arena, v, dst))
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	return EA_OK;
}

/* Parse an object of values into a key/value list. */
static ea_status
ea_user_kvlist(ea_user *user, const char *name, json_object *v,
			   bool ids_only, ea_kvlist *out, ea_error *err)
{
	size_t		n;
	size_t		i = 0;

	if (v == NULL)
		return EA_OK;
	if (!json_object_is_type(v, json_type_object))
	{
		ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
				"Field \"%s\" is %s; it must be an object.", name,
				ea_json_type_name(v));
		ea_set_hint(err, "Use an object of key/value pairs, or omit the field.");
		return EA_ERR_USER;
	}
	n = (size_t) json_object_object_length(v);
	out->present = true;
	out->items = ea_arena_alloc(&user->arena, sizeof(ea_kv) * (n ? n : 1));
	if (out->items == NULL)
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	{
		json_object_object_foreach(v, key, val)
		{
			ea_kv	   *kv = &out->items[i];

			if (ids_only && val != NULL &&
				!json_object_is_type(val, json_type_string) &&
				!json_object_is_type(val, json_type_int) &&
				!json_object_is_type(val, json_type_double))
			{
				ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
						"Field \"%s.%s\" is %s; ids must be strings or numbers.",
						name, key, ea_json_type_name(val));
				ea_set_hint(err, "Give each custom id as a string.");
				return EA_ERR_USER;
			}
			if (ids_only && val == NULL)
				continue;
			kv->key = ea_arena_strdup(&user->arena, key);
			if (kv->key == NULL || !ea_dval_from_json(&user->arena, val, &kv->value))
				return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
			i++;
		}
	}
	out->n = i;
	return EA_OK;
}

static ea_status
ea_user_fill(ea_user *user, json_object *root, ea_error *err)
{
	ea_status	st = EA_OK;
	size_t		i;

	for (i = 0; i < EA_NFIELDS && st == EA_OK; i++)
		st = ea_user_scalar(user, &ea_user_fields[i],
							json_object_object_get(root, ea_user_fields[i].name),
							err);
	if (st == EA_OK)
		st = ea_user_kvlist(user, "customIDs",
							json_object_object_get(root, "customIDs"), true,
							&user->custom_ids, err);
	if (st == EA_OK)
		st = ea_user_kvlist(user, "custom",
							json_object_object_get(root, "custom"), false,
							&user->custom, err);
	if (st == EA_OK)
		st = ea_user_kvlist(user, "privateAttributes",
							json_object_object_get(root, "privateAttributes"),
							false, &user->private_attributes, err);
	if (st == EA_OK)
		st = ea_user_kvlist(user, "statsigEnvironment",
							json_object_object_get(root, "statsigEnvironment"),
							false, &user->environment, err);
	return st;
}

ea_status
ea_user_parse(const char *json, size_t len, ea_user **out, ea_error *err)
{
	json_tokener *tok;
	json_object *root;
	ea_user    *user;
	ea_status	st;

	*out = NULL;
	tok = json_tokener_new();
	if (tok == NULL)
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	root = json_tokener_parse_ex(tok, json, (int) len);
	if (root == NULL || json_tokener_get_parse_end(tok) != len)
	{
		json_object_put(root);
		json_tokener_free(tok);
		return ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
					   "The user is not valid JSON.");
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object))
	{
		ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
				"The user is %s, not a JSON object.", ea_json_type_name(root));
		ea_set_hint(err, "Pass the user as a JSON object such as {\"userID\": \"u-1\"}.");
		json_object_put(root);
		return EA_ERR_USER;
	}
	user = calloc(1, sizeof(ea_user));
	if (user == NULL)
	{
		json_object_put(root);
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	}
	st = ea_user_fill(user, root, err);
	json_object_put(root);
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
	free(user);
}

const ea_dval *
ea_kv_get(const ea_kvlist *list, const char *key)
{
	size_t		i;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->items[i].key, key) == 0)
			return &list->items[i].value;
	return NULL;
}

static const ea_dval *
ea_present(const ea_dval *v)
{
	return v->type == EA_J_NULL && v->str == NULL && !v->has_float ? NULL : v;
}

/* Server Core's get_user_value: fields, custom, private, aliases. */
const ea_dval *
ea_user_value(const ea_user *user, const char *field, const char *lower)
{
	const ea_dval *v = NULL;

	if (field == NULL)
		return NULL;
	if (strcmp(lower, "userid") == 0)
		v = ea_present(&user->user_id);
	else if (strcmp(lower, "email") == 0)
		v = ea_present(&user->email);
	else if (strcmp(lower, "ip") == 0)
		v = ea_present(&user->ip);
	else if (strcmp(lower, "country") == 0)
		v = ea_present(&user->country);
	else if (strcmp(lower, "locale") == 0)
		v = ea_present(&user->locale);
	else if (strcmp(lower, "appversion") == 0)
		v = ea_present(&user->app_version);
	else if (strcmp(lower, "useragent") == 0)
		v = ea_present(&user->user_agent);
	if (v != NULL)
		return v;
	if ((v = ea_kv_get(&user->custom, field)) != NULL ||
		(v = ea_kv_get(&user->custom, lower)) != NULL ||
		(v = ea_kv_get(&user->private_attributes, field)) != NULL ||
		(v = ea_kv_get(&user->private_attributes, lower)) != NULL)
		return v;
	if (strcmp(lower, "user_id") == 0)
		return ea_present(&user->user_id);
	if (strcmp(lower, "app_version") == 0)
		return ea_present(&user->app_version);
	if (strcmp(lower, "user_agent") == 0)
		return ea_present(&user->user_agent);
	return NULL;
}

/* Server Core's get_unit_id: userID, else customIDs exact then lower. */
const ea_dval *
ea_user_unit_dval(const ea_user *user, const char *id_type,
				  const char *lower_id_type)
{
	const ea_dval *v;

	if (id_type == NULL)
		return NULL;
	if (strcmp(lower_id_type, "userid") == 0)
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
