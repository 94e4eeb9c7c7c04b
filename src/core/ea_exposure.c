/*-------------------------------------------------------------------------
 *
 * ea_exposure.c
 *	  Exposure events shaped as Server Core logs them, their deduplication
 *	  keys, and the gzip-compressed log_event request body.
 *
 * The shapes were read off @statsig/statsig-node-core 0.23.2 (see
 * test/exposures/generator, which records what it sends): every metadata
 * value is a string, "value" is null, "statsigMetadata" is {} and the user
 * keeps only the StatsigUser fields (privateAttributes removed), with the
 * SDK's environment as statsigEnvironment when the user has none.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_exposure.h"
#include "ea_result.h"
#include "ea_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <zlib.h>

/* The StatsigUser fields an exposure carries, in Server Core's order. */
static const char *const ea_expo_user_fields[] = {
	"userID", "customIDs", "email", "ip", "userAgent", "country", "locale",
	"appVersion", "custom", "statsigEnvironment"
};

#define EA_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static char *
ea_expo_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* A unit id value as text: strings as they are, numbers as written. */
static const char *
ea_expo_id_text(json_object *v)
{
	if (v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (json_object_is_type(v, json_type_int) ||
		json_object_is_type(v, json_type_double))
		return json_object_to_json_string_ext(v, EA_JSON_FLAGS);
	return NULL;
}

/*
 * The loggable user: the StatsigUser fields with a value (nulls are left
 * out, as Server Core skips absent fields), without privateAttributes,
 * plus statsigEnvironment from the SDK's environment when missing.
 */
static json_object *
ea_expo_user(json_object *user, const char *tier)
{
	json_object *out = json_object_new_object();
	size_t		i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < sizeof(ea_expo_user_fields) / sizeof(ea_expo_user_fields[0]); i++)
	{
		json_object *v;

		if (!json_object_object_get_ex(user, ea_expo_user_fields[i], &v) || v == NULL)
			continue;
		json_object_object_add(out, ea_expo_user_fields[i], json_object_get(v));
	}
	if (tier != NULL && tier[0] != '\0' &&
		!json_object_object_get_ex(out, "statsigEnvironment", NULL))
	{
		json_object *env = json_object_new_object();

		json_object_object_add(env, "tier", json_object_new_string(tier));
		json_object_object_add(out, "statsigEnvironment", env);
	}
	return out;
}

/* The user's id for idType: userID, or a customIDs entry (any case). */
static const char *
ea_expo_unit_id(json_object *user, const char *id_type)
{
	json_object *v = NULL;
	json_object *ids;

	if (id_type == NULL || id_type[0] == '\0' || strcasecmp(id_type, "userID") == 0)
	{
		json_object_object_get_ex(user, "userID", &v);
		return ea_expo_id_text(v);
	}
	if (!json_object_object_get_ex(user, "customIDs", &ids) ||
		!json_object_is_type(ids, json_type_object))
		return NULL;
	if (json_object_object_get_ex(ids, id_type, &v))
		return ea_expo_id_text(v);
	{
		json_object_object_foreach(ids, key, val)
		{
			if (strcasecmp(key, id_type) == 0)
				return ea_expo_id_text(val);
		}
	}
	return NULL;
}

static int
ea_expo_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 * The user part of a deduplication key: the userID and every customIDs
 * entry (sorted by key), as Server Core's exposure key uses the unit ids
 * only: two users that differ in email or custom fields are one unit.
 */
static void
ea_expo_user_key(ea_buf *b, json_object *user)
{
	json_object *ids;
	const char *uid = ea_expo_unit_id(user, "userID");

	ea_buf_puts(b, "u:");
	ea_buf_puts(b, uid ? uid : "");
	ea_buf_puts(b, ";");
	if (json_object_object_get_ex(user, "customIDs", &ids) &&
		json_object_is_type(ids, json_type_object))
	{
		size_t		n = (size_t) json_object_object_length(ids),
					k = 0,
					i;
		const char **keys = calloc(n ? n : 1, sizeof(char *));

		if (keys == NULL)
		{
			b->failed = true;
			return;
		}
		{
			json_object_object_foreach(ids, key, val)
			{
				(void) val;
				keys[k++] = key;
			}
		}
		qsort(keys, k, sizeof(char *), ea_expo_cmp_str);
		for (i = 0; i < k; i++)
		{
			json_object *v = NULL;
			const char *text;

			json_object_object_get_ex(ids, keys[i], &v);
			text = ea_expo_id_text(v);
			if (text == NULL)
				continue;
			ea_buf_puts(b, keys[i]);
			ea_buf_puts(b, ":");
			ea_buf_puts(b, text);
			ea_buf_puts(b, ";");
		}
		free(keys);
	}
}

static json_object *
ea_expo_exposure_list(const ea_result *r, bool undelegated)
{
	const ea_expo_list *l = undelegated ? &r->undelegated : &r->exposures;
	json_object *arr = json_object_new_array();
	size_t		i;

	for (i = 0; arr != NULL && i < l->n; i++)
	{
		json_object *e = json_object_new_object();

		json_object_object_add(e, "gate", json_object_new_string(l->items[i].gate));
		json_object_object_add(e, "gateValue",
							   json_object_new_string(l->items[i].value ? "true" : "false"));
		json_object_object_add(e, "ruleID", json_object_new_string(l->items[i].rule_id));
		json_object_array_add(arr, e);
	}
	return arr;
}

static void
ea_expo_meta(json_object *meta, const char *key, const char *value)
{
	json_object_object_add(meta, key, json_object_new_string(value));
}

static void
ea_expo_meta_int(json_object *meta, const char *key, int64_t value)
{
	char		num[32];

	snprintf(num, sizeof(num), "%" PRId64, value);
	ea_expo_meta(meta, key, num);
}

/* The metadata every exposure has: reason and the document's times. */
static json_object *
ea_expo_base_meta(const ea_result_view *v, const ea_expo_context *ctx)
{
	json_object *meta = json_object_new_object();
	char		reason[128];

	if (meta == NULL)
		return NULL;
	/* "<specs source>:<reason>"; a persisted value is just "Persisted" */
	if (strcmp(v->reason, "Persisted") == 0)
		snprintf(reason, sizeof(reason), "%s", v->reason);
	else
		snprintf(reason, sizeof(reason), "%s:%s",
				 ctx->source ? ctx->source : "Bootstrap", v->reason);
	ea_expo_meta(meta, "reason", reason);
	if (ctx->lcut > 0)
		ea_expo_meta_int(meta, "lcut", ctx->lcut);
	if (ctx->received_at > 0)
		ea_expo_meta_int(meta, "receivedAt", ctx->received_at);
	if (v->config_version >= 0)
		ea_expo_meta_int(meta, "configVersion", v->config_version);
	return meta;
}

typedef struct ea_expo_builder
{
	json_object *user;			/* the parsed StatsigUser */
	json_object *loggable;		/* the user as logged */
	const ea_result *r;
	ea_result_view v;
	const ea_expo_context *ctx;
	ea_expo_events *out;
	size_t		cap;
	bool		keys_only;		/* fill dedup_key only (ea_expo_keys) */
	const bool *want;			/* per candidate: build it? NULL: all */
	size_t		candidate;		/* index of the next candidate event */
} ea_expo_builder;

/* Append one event; takes the metadata and secondary exposures. */
static bool
ea_expo_add(ea_expo_builder *b, const char *event_name, json_object *meta,
			json_object *secondary, const char *rule_id, const char *key_extra,
			const char *experiment)
{
	size_t		candidate = b->candidate++;
	json_object *ev = NULL;
	ea_expo_event *e;
	ea_buf		key = {0};
	const char *unit;
	bool		ok = false;

	if (b->want != NULL && !b->want[candidate])
	{
		json_object_put(meta);
		json_object_put(secondary);
		return true;
	}
	if (meta == NULL)
		goto out;
	if (b->out->n == b->cap)
	{
		size_t		cap = b->cap ? b->cap * 2 : 4;
		ea_expo_event *items = realloc(b->out->items, cap * sizeof(*items));

		if (items == NULL)
			goto out;
		b->out->items = items;
		b->cap = cap;
	}

	/*
	 * n:<name>;u:<ids>;r:<rule>;<extra>: Server Core's key has no kind (a
	 * gate and a config of the same name share it) and adds the parameter
	 * name for layers
	 */
	ea_buf_puts(&key, "n:");
	ea_buf_puts(&key, b->v.name);
	ea_buf_puts(&key, ";");
	ea_expo_user_key(&key, b->user);
	ea_buf_puts(&key, "r:");
	ea_buf_puts(&key, rule_id);
	ea_buf_puts(&key, ";");
	ea_buf_puts(&key, key_extra);

	e = &b->out->items[b->out->n++];
	memset(e, 0, sizeof(*e));
	e->event_name = event_name;
	e->dedup_key = key.data;
	if (key.failed)
		goto out;
	if (b->keys_only)
	{
		ok = true;
		goto out;
	}

	ev = json_object_new_object();
	if (ev == NULL)
		goto out;
	json_object_object_add(ev, "eventName", json_object_new_string(event_name));
	json_object_object_add(ev, "value", NULL);
	json_object_object_add(ev, "metadata", meta);
	json_object_object_add(ev, "statsigMetadata", json_object_new_object());
	json_object_object_add(ev, "user", json_object_get(b->loggable));
	json_object_object_add(ev, "time", json_object_new_int64(b->ctx->time_ms));
	json_object_object_add(ev, "secondaryExposures", secondary);
	meta = NULL;				/* owned by ev now */
	secondary = NULL;

	e->json = ea_expo_strdup(json_object_to_json_string_ext(ev, EA_JSON_FLAGS));
	unit = ea_expo_unit_id(b->user, b->v.id_type);
	e->unit_id = ea_expo_strdup(unit);
	e->id_type = ea_expo_strdup(b->v.id_type);
	e->config_name = ea_expo_strdup(b->v.name);
	e->rule_id = ea_expo_strdup(rule_id);
	e->experiment = ea_expo_strdup(experiment);
	e->group_name = experiment ? ea_expo_strdup(b->v.group_name) : NULL;
	ok = e->json != NULL && e->id_type != NULL && e->config_name != NULL &&
		e->rule_id != NULL && (unit == NULL || e->unit_id != NULL) &&
		(experiment == NULL || e->experiment != NULL);
out:
	json_object_put(ev);
	json_object_put(meta);
	json_object_put(secondary);
	return ok;
}

static bool
ea_expo_gate(ea_expo_builder *b)
{
	json_object *meta = ea_expo_base_meta(&b->v, b->ctx);

	if (meta == NULL)
		return false;
	ea_expo_meta(meta, "gate", b->v.name);
	ea_expo_meta(meta, "gateValue", b->v.bool_value ? "true" : "false");
	ea_expo_meta(meta, "ruleID", b->v.rule_id);
	return ea_expo_add(b, EA_EXPO_GATE_EVENT, meta, ea_expo_exposure_list(b->r, false),
					   b->v.rule_id, "", NULL);
}

static bool
ea_expo_config(ea_expo_builder *b)
{
	json_object *meta = ea_expo_base_meta(&b->v, b->ctx);
	bool		is_experiment = b->r->entity != NULL &&
		strcmp(b->r->entity, "experiment") == 0;

	if (meta == NULL)
		return false;
	ea_expo_meta(meta, "config", b->v.name);
	ea_expo_meta(meta, "ruleID", b->v.rule_id);
	ea_expo_meta(meta, "rulePassed", b->r->bool_value ? "true" : "false");
	if (b->r->override_config_name)
		ea_expo_meta(meta, "overrideConfigName", b->r->override_config_name);
	return ea_expo_add(b, EA_EXPO_CONFIG_EVENT, meta, ea_expo_exposure_list(b->r, false),
					   b->v.rule_id, "", is_experiment ? b->v.name : NULL);
}

static bool
ea_expo_layer_param(ea_expo_builder *b, const char *param)
{
	json_object *meta = ea_expo_base_meta(&b->v, b->ctx);
	json_object *secondary;
	bool		explicit_param = false;
	const char *allocated = "";
	ea_buf		extra = {0};
	bool		ok;
	size_t		i;

	if (meta == NULL)
		return false;
	for (i = 0; i < b->v.nexplicit; i++)
		if (strcmp(b->v.explicit_params[i], param) == 0)
			explicit_param = true;
	if (explicit_param)
	{
		allocated = b->v.allocated_experiment_name ? b->v.allocated_experiment_name : "";
		secondary = ea_expo_exposure_list(b->r, false);
	}
	else if (b->r->recognized && b->r->has_undelegated)
		secondary = ea_expo_exposure_list(b->r, true);
	else
		secondary = NULL;		/* Server Core has no undelegated list */
	ea_expo_meta(meta, "config", b->v.name);
	ea_expo_meta(meta, "ruleID", b->v.rule_id);
	ea_expo_meta(meta, "allocatedExperiment", allocated);
	ea_expo_meta(meta, "parameterName", param);
	ea_expo_meta(meta, "isExplicitParameter", explicit_param ? "true" : "false");
	if (b->r->override_config_name)
		ea_expo_meta(meta, "overrideConfigName", b->r->override_config_name);
	ea_buf_puts(&extra, "p:");
	ea_buf_puts(&extra, param);
	ok = !extra.failed &&
		ea_expo_add(b, EA_EXPO_LAYER_EVENT, meta, secondary, b->v.rule_id,
					extra.data, allocated[0] ? allocated : NULL);
	if (extra.failed)
	{
		json_object_put(meta);
		json_object_put(secondary);
	}
	free(extra.data);
	return ok;
}

static bool
ea_expo_layer(ea_expo_builder *b, const char *parameter)
{
	json_object *value;
	bool		ok = true;

	if (parameter != NULL)
		return ea_expo_layer_param(b, parameter);
	if (b->v.value_json == NULL)
		return true;
	value = ea_json_parse_deep(b->v.value_json);
	if (value == NULL || !json_object_is_type(value, json_type_object))
	{
		json_object_put(value);
		return value == NULL ? false : true;
	}
	{
		json_object_object_foreach(value, key, val)
		{
			(void) val;
			if (ok && !ea_expo_layer_param(b, key))
				ok = false;
		}
	}
	json_object_put(value);
	return ok;
}

void
ea_expo_events_free(ea_expo_events *events)
{
	size_t		i;

	if (events == NULL)
		return;
	for (i = 0; i < events->n; i++)
	{
		ea_expo_event *e = &events->items[i];

		free(e->json);
		free(e->dedup_key);
		free(e->unit_id);
		free(e->id_type);
		free(e->config_name);
		free(e->rule_id);
		free(e->group_name);
		free(e->experiment);
	}
	free(events->items);
	events->items = NULL;
	events->n = 0;
}

static ea_status
ea_expo_run(const ea_result *result, const char *user_json, size_t user_len,
			const char *parameter, const ea_expo_context *ctx, bool keys_only,
			const bool *want, ea_expo_events *out, ea_error *err)
{
	ea_expo_builder b;
	struct json_tokener *tok;
	bool		ok;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	b.keys_only = keys_only;
	b.want = want;
	tok = json_tokener_new_ex(EA_MAX_JSON_DEPTH);
	if (tok == NULL)
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	b.user = json_tokener_parse_ex(tok, user_json, (int) user_len);
	if (b.user == NULL || json_tokener_get_error(tok) != json_tokener_success ||
		!json_object_is_type(b.user, json_type_object))
	{
		json_tokener_free(tok);
		json_object_put(b.user);
		return ea_fail(err, EA_ERR_USER, "invalid user for an exposure",
					   "The user is not a JSON object.");
	}
	json_tokener_free(tok);
	b.loggable = keys_only ? json_object_new_object() :
		ea_expo_user(b.user, ctx->environment_tier);
	b.r = result;
	b.ctx = ctx;
	b.out = out;
	ea_result_get_view(result, &b.v);
	if (b.loggable == NULL)
		ok = false;
	else if (b.v.kind == EA_KIND_GATE)
		ok = ea_expo_gate(&b);
	else if (b.v.kind == EA_KIND_LAYER)
		ok = ea_expo_layer(&b, parameter);
	else
		ok = ea_expo_config(&b);
	json_object_put(b.loggable);
	json_object_put(b.user);
	if (!ok)
	{
		ea_expo_events_free(out);
		return ea_fail(err, EA_ERR_NOMEM, "out of memory",
					   "An exposure event could not be built.");
	}
	return EA_OK;
}

ea_status
ea_expo_build(const ea_result *result, const char *user_json, size_t user_len,
			  const char *parameter, const ea_expo_context *ctx,
			  const bool *want, ea_expo_events *out, ea_error *err)
{
	return ea_expo_run(result, user_json, user_len, parameter, ctx, false, want, out, err);
}

ea_status
ea_expo_keys(const ea_result *result, const char *user_json, size_t user_len,
			 const char *parameter, ea_expo_events *out, ea_error *err)
{
	ea_expo_context ctx;

	memset(&ctx, 0, sizeof(ctx));
	return ea_expo_run(result, user_json, user_len, parameter, &ctx, true, NULL, out, err);
}

/* ---- the log_event request body ---- */

static ea_status
ea_expo_gzip(const char *data, size_t len, unsigned char **out,
			 size_t *out_len, ea_error *err)
{
	z_stream	zs;
	uLong		cap;
	unsigned char *buf;
	int			rc;

	memset(&zs, 0, sizeof(zs));
	/* windowBits 15 + 16: a gzip (RFC 1952) wrapper instead of zlib's */
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
					 Z_DEFAULT_STRATEGY) != Z_OK)
		return ea_fail(err, EA_ERR_NOMEM, "could not start gzip compression", NULL);
	cap = deflateBound(&zs, (uLong) len) + 32;
	buf = malloc(cap);
	if (buf == NULL)
	{
		deflateEnd(&zs);
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	}
	zs.next_in = (Bytef *) data;
	zs.avail_in = (uInt) len;
	zs.next_out = buf;
	zs.avail_out = (uInt) cap;
	rc = deflate(&zs, Z_FINISH);
	if (rc != Z_STREAM_END)
	{
		deflateEnd(&zs);
		free(buf);
		return ea_fail(err, EA_ERR_NOMEM, "gzip compression failed", NULL);
	}
	*out_len = zs.total_out;
	*out = buf;
	deflateEnd(&zs);
	return EA_OK;
}

ea_status
ea_expo_batch_body(const char *const *events, size_t n, const ea_expo_sdk *sdk,
				   unsigned char **body, size_t *body_len, ea_error *err)
{
	ea_buf		b = {0};
	json_object *meta;
	size_t		i;
	ea_status	st;

	*body = NULL;
	*body_len = 0;
	ea_buf_puts(&b, "{\"events\":[");
	for (i = 0; i < n; i++)
	{
		const char *p = events[i];
		size_t		len = strlen(p);

		/* stored events are JSON objects; check the outline cheaply */
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\n'))
			len--;
		while (len > 0 && (*p == ' ' || *p == '\n'))
			p++, len--;
		if (len < 2 || p[0] != '{' || p[len - 1] != '}')
		{
			free(b.data);
			return ea_fail(err, EA_ERR_JSON, "stored exposure event is not a JSON object",
						   "Event %zu of the batch does not start with \"{\".", i + 1);
		}
		if (i)
			ea_buf_puts(&b, ",");
		ea_buf_append(&b, p, len);
	}
	meta = json_object_new_object();
	json_object_object_add(meta, "sdkType", json_object_new_string(sdk->sdk_type));
	json_object_object_add(meta, "sdkVersion", json_object_new_string(sdk->sdk_version));
	if (sdk->session_id)
		json_object_object_add(meta, "sessionID", json_object_new_string(sdk->session_id));
	ea_buf_puts(&b, "],\"statsigMetadata\":");
	ea_buf_puts(&b, json_object_to_json_string_ext(meta, EA_JSON_FLAGS));
	ea_buf_puts(&b, "}");
	json_object_put(meta);
	if (b.failed)
	{
		free(b.data);
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	}
	st = ea_expo_gzip(b.data, b.len, body, body_len, err);
	free(b.data);
	return st;
}

ea_status
ea_expo_gunzip(const unsigned char *gz, size_t len, char **out, size_t *out_len,
			   ea_error *err)
{
	z_stream	zs;
	size_t		cap = len * 4 + 64;
	char	   *buf = malloc(cap);
	int			rc;

	*out = NULL;
	if (buf == NULL)
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
	{
		free(buf);
		return ea_fail(err, EA_ERR_NOMEM, "could not start gzip decompression", NULL);
	}
	zs.next_in = (Bytef *) gz;
	zs.avail_in = (uInt) len;
	for (;;)
	{
		zs.next_out = (Bytef *) buf + zs.total_out;
		zs.avail_out = (uInt) (cap - zs.total_out - 1);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			break;
		if (zs.avail_out == 0)
		{
			char	   *more = realloc(buf, cap * 2);

			if (more == NULL)
				break;
			buf = more;
			cap *= 2;
		}
		else if (zs.avail_in == 0)
			break;
	}
	if (rc != Z_STREAM_END)
	{
		inflateEnd(&zs);
		free(buf);
		return ea_fail(err, EA_ERR_JSON, "invalid gzip data", NULL);
	}
	buf[zs.total_out] = '\0';
	*out_len = zs.total_out;
	*out = buf;
	inflateEnd(&zs);
	return EA_OK;
}

bool
ea_expo_dedup_expired(int64_t now_ms, int64_t last_reset_ms, int64_t window_ms,
					  size_t nkeys)
{
	return now_ms - last_reset_ms > window_ms || nkeys > EA_EXPO_DEDUP_MAX_KEYS;
}
