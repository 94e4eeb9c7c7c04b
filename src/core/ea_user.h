/*-------------------------------------------------------------------------
 *
 * ea_user.h
 *	  The parsed StatsigUser and Server Core's field lookups.
 *
 * Internal to the core.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_USER_H
#define EA_USER_H

#include "ea_value.h"

/* ---- user ---- */

/* An object's members, as parsed (a later duplicate key wins). */
typedef struct ea_kvlist
{
	size_t		n;
	const char **keys;
	const ea_dval *items;
	bool		present;
} ea_kvlist;

struct ea_user
{
	ea_arena	arena;
	ea_dval		user_id;
	ea_dval		email;
	ea_dval		ip;
	ea_dval		user_agent;
	ea_dval		country;
	ea_dval		locale;
	ea_dval		app_version;
	ea_kvlist	custom;
	ea_kvlist	custom_ids;
	ea_kvlist	private_attributes;
	ea_kvlist	environment;
	void	   *spare_builder;	/* the builder that made it, kept for the next */
};

extern const ea_dval *ea_kv_get(const ea_kvlist *list, const char *key);
extern ea_status ea_user_from_root(ea_user *user, const ea_dval *root,
								   ea_error *err);
extern const ea_dval *ea_user_value(const ea_user *user, const char *field,
									const char *lower_field);

/*
 * Where a field name points among the user's own fields: 0..6 for userid,
 * email, ip, country, locale, appversion, useragent; 10 plus that for the
 * aliases user_id, app_version, user_agent (looked up after custom); -1
 * for other names.  Computed once per condition when specs are parsed.
 */
extern int	ea_user_field_slot(const char *lower_field);
#define EA_SLOT_IP			2	/* ea_user_field_slot("ip") */
#define EA_SLOT_USERAGENT	6	/* ea_user_field_slot("useragent") */
extern int	ea_user_top_field(const char *key, size_t len, bool *allow_number);
extern uint64_t ea_user_top_filter(uint32_t slots);

/*
 * Top-level fields by index (ea_user_field_index, -1 for other names): the
 * builder sets a field of an accepted type directly (false: wrong type,
 * left for ea_user_from_root to report).
 */
extern int	ea_user_field_index(const char *key, size_t len);
extern bool ea_user_set_field(ea_user *user, int i, const ea_dval *v);
extern const char *ea_user_field_name(int i);
extern const ea_dval *ea_user_value_at(const ea_user *user, const char *field,
									   const char *lower_field, int slot);
extern const ea_dval *ea_user_unit_dval(const ea_user *user,
										const char *id_type,
										const char *lower_id_type);

#endif							/* EA_USER_H */
