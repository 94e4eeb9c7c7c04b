-- ext_catalog.sql - a text description of everything that belongs to the
-- experiment_assign extension in the current database, one sorted line per
-- fact, with names instead of OIDs: two databases hold the same extension
-- objects exactly when their outputs are equal.  Used by
-- test/suites/upgrade.sh to compare an upgraded install with a fresh one.
--
-- Generic: every object recorded as a member of the extension (pg_depend,
-- deptype 'e') is listed by pg_identify_object(), whatever its class; the
-- classes an extension commonly has are then described in detail:
-- functions (pg_get_functiondef: arguments, defaults, result, language,
-- volatility, strictness, parallel safety, security definer, SET options,
-- cost, rows, body), relations (kind, persistence, options, row security;
-- columns with types, defaults, NOT NULL, identity, generated, collation;
-- constraints, indexes, triggers, policies, view definitions, sequences),
-- types, event triggers; for every member: owner, ACL, the initial
-- privileges pg_dump keeps (pg_init_privs), comments (columns too); and
-- the extension's own row (version aside), its config-dump registrations
-- (extconfig/extcondition) and its update paths.
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
\pset footer off

WITH ext AS (
	SELECT oid, extname, extnamespace, extrelocatable, extconfig, extcondition
	FROM pg_catalog.pg_extension WHERE extname = 'experiment_assign'
),
member AS (
	SELECT d.classid, d.objid, i.type, i.identity
	FROM pg_catalog.pg_depend d, ext,
		 LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, 0) i
	WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
	  AND d.refobjid = ext.oid AND d.deptype = 'e'
),
rel AS (
	SELECT c.oid, c.relkind::text, m.identity
	FROM member m JOIN pg_catalog.pg_class c ON c.oid = m.objid
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
),
fn AS (
	SELECT p.oid, p.prokind::text, m.identity
	FROM member m JOIN pg_catalog.pg_proc p ON p.oid = m.objid
	WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
),
facts(line) AS (
	-- the extension itself
	SELECT 'extension|schema ' || n.nspname || ', relocatable ' || e.extrelocatable
	FROM ext e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
	UNION ALL
	SELECT 'extension|config dump ' || pg_catalog.quote_ident(n.nspname) || '.'
		|| pg_catalog.quote_ident(c.relname) || ' condition '
		|| pg_catalog.quote_literal(coalesce(e.extcondition[i.n], '<none>'))
	FROM ext e, LATERAL pg_catalog.generate_subscripts(e.extconfig, 1) AS i(n)
	JOIN pg_catalog.pg_class c ON true
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = e.extconfig[i.n]
	UNION ALL
	SELECT 'extension|update path ' || source || ' -> ' || target
	FROM pg_catalog.pg_extension_update_paths('experiment_assign')
	WHERE path IS NOT NULL
	  AND target = (SELECT default_version FROM pg_catalog.pg_available_extensions
					WHERE name = 'experiment_assign')
	UNION ALL
	-- membership, every class
	SELECT 'member|' || m.type || ' ' || m.identity FROM member m
	UNION ALL
	-- owner and ACL of every member that has them
	SELECT 'acl|' || m.type || ' ' || m.identity || ' owner '
		|| coalesce(pg_catalog.pg_get_userbyid(x.owner), '-') || ' acl '
		|| coalesce(x.acl::text, '<default>')
	FROM member m
	JOIN LATERAL (
		SELECT relowner AS owner, relacl AS acl FROM pg_catalog.pg_class
		WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND oid = m.objid
		UNION ALL
		SELECT proowner, proacl FROM pg_catalog.pg_proc
		WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND oid = m.objid
		UNION ALL
		SELECT typowner, typacl FROM pg_catalog.pg_type
		WHERE m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND oid = m.objid
		UNION ALL
		SELECT nspowner, nspacl FROM pg_catalog.pg_namespace
		WHERE m.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND oid = m.objid
	) x ON true
	UNION ALL
	-- initial privileges (what pg_dump treats as the extension's own)
	SELECT 'init privs|' || m.type || ' ' || m.identity
		|| coalesce(' column ' || a.attname, '') || ' ' || ip.privtype::text || ' '
		|| coalesce(ip.initprivs::text, '<none>')
	FROM member m
	JOIN pg_catalog.pg_init_privs ip ON ip.classoid = m.classid AND ip.objoid = m.objid
	LEFT JOIN pg_catalog.pg_attribute a
		ON ip.objsubid <> 0 AND a.attrelid = ip.objoid AND a.attnum = ip.objsubid
	UNION ALL
	-- comments of members and of their columns
	SELECT 'comment|' || m.type || ' ' || m.identity
		|| coalesce(' column ' || a.attname, '') || ' ' || pg_catalog.quote_literal(d.description)
	FROM member m
	JOIN pg_catalog.pg_description d ON d.classoid = m.classid AND d.objoid = m.objid
	LEFT JOIN pg_catalog.pg_attribute a
		ON d.objsubid <> 0 AND a.attrelid = d.objoid AND a.attnum = d.objsubid
	UNION ALL
	-- functions: the whole definition (attributes, SET options, body)
	SELECT 'function|' || f.identity || ' '
		|| CASE WHEN f.prokind = 'a'
				THEN 'aggregate ' || pg_catalog.pg_get_function_arguments(f.oid)
				ELSE pg_catalog.regexp_replace(pg_catalog.pg_get_functiondef(f.oid), '\s+', ' ', 'g')
		   END
	FROM fn f
	UNION ALL
	SELECT 'function|' || f.identity || ' leakproof ' || p.proleakproof
		|| ', kind ' || p.prokind::text || ', support ' || p.prosupport::text
	FROM fn f JOIN pg_catalog.pg_proc p ON p.oid = f.oid
	UNION ALL
	-- relations
	SELECT 'relation|' || r.identity || ' kind ' || c.relkind::text
		|| ', persistence ' || c.relpersistence::text
		|| ', options ' || coalesce(c.reloptions::text, '-')
		|| ', row security ' || c.relrowsecurity || '/' || c.relforcerowsecurity
		|| ', replica identity ' || c.relreplident::text
		|| ', access method ' || coalesce(am.amname, '-')
	FROM rel r JOIN pg_catalog.pg_class c ON c.oid = r.oid
	LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
	UNION ALL
	-- columns, in order (dropped columns skipped)
	SELECT 'column|' || r.identity || ' #'
		|| pg_catalog.lpad((pg_catalog.row_number() OVER w)::text, 3, '0') || ' '
		|| pg_catalog.quote_ident(a.attname) || ' '
		|| pg_catalog.format_type(a.atttypid, a.atttypmod)
		|| CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
		|| coalesce(' default ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')
		|| CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
		|| CASE WHEN a.attgenerated <> '' THEN ' generated ' || a.attgenerated::text ELSE '' END
		|| coalesce(' collate ' || co.collname, '')
		|| coalesce(' acl ' || a.attacl::text, '')
		|| coalesce(' storage ' || a.attstorage::text, '')
	FROM rel r
	JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	LEFT JOIN pg_catalog.pg_collation co
		ON co.oid = a.attcollation AND a.attcollation <> 0
		AND co.oid <> (SELECT typcollation FROM pg_catalog.pg_type WHERE oid = a.atttypid)
	WINDOW w AS (PARTITION BY r.oid ORDER BY a.attnum)
	UNION ALL
	SELECT 'constraint|' || r.identity || ' ' || pg_catalog.quote_ident(k.conname) || ' '
		|| pg_catalog.pg_get_constraintdef(k.oid)
		|| CASE WHEN k.condeferrable THEN ' deferrable' ELSE '' END
		|| CASE WHEN NOT k.convalidated THEN ' not valid' ELSE '' END
	FROM rel r JOIN pg_catalog.pg_constraint k ON k.conrelid = r.oid
	UNION ALL
	SELECT 'index|' || r.identity || ' ' || pg_catalog.pg_get_indexdef(i.indexrelid)
		|| CASE WHEN NOT i.indisvalid THEN ' (invalid)' ELSE '' END
		|| coalesce(' comment ' || pg_catalog.quote_literal(
			pg_catalog.obj_description(i.indexrelid, 'pg_class')), '')
	FROM rel r JOIN pg_catalog.pg_index i ON i.indrelid = r.oid
	UNION ALL
	SELECT 'trigger|' || r.identity || ' ' || pg_catalog.pg_get_triggerdef(t.oid)
		|| ' enabled ' || t.tgenabled::text
		|| coalesce(' comment ' || pg_catalog.quote_literal(
			pg_catalog.obj_description(t.oid, 'pg_trigger')), '')
	FROM rel r JOIN pg_catalog.pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT 'policy|' || r.identity || ' ' || pg_catalog.quote_ident(p.polname)
		|| ' cmd ' || p.polcmd::text || ' permissive ' || p.polpermissive
		|| ' roles ' || (SELECT pg_catalog.string_agg(CASE WHEN x = 0 THEN 'public'
										ELSE pg_catalog.pg_get_userbyid(x) END, ',' ORDER BY 1)
						 FROM pg_catalog.unnest(p.polroles) x)
		|| ' using ' || coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '-')
		|| ' check ' || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '-')
	FROM rel r JOIN pg_catalog.pg_policy p ON p.polrelid = r.oid
	UNION ALL
	SELECT 'view|' || r.identity || ' '
		|| pg_catalog.regexp_replace(pg_catalog.pg_get_viewdef(r.oid, true), '\s+', ' ', 'g')
	FROM rel r WHERE r.relkind IN ('v', 'm')
	UNION ALL
	SELECT 'sequence|' || r.identity || ' ' || pg_catalog.format_type(s.seqtypid, NULL)
		|| ' start ' || s.seqstart || ' increment ' || s.seqincrement
		|| ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache
		|| ' cycle ' || s.seqcycle
		|| coalesce(' owned by ' || (SELECT d.refobjid::pg_catalog.regclass::text || '.' || a.attname
									 FROM pg_catalog.pg_depend d
									 JOIN pg_catalog.pg_attribute a
										ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
									 WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
									   AND d.objid = r.oid AND d.deptype IN ('a', 'i')
									   AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
									 LIMIT 1), '')
	FROM rel r JOIN pg_catalog.pg_sequence s ON s.seqrelid = r.oid
	UNION ALL
	-- types (domains, enums, composites, ...)
	SELECT 'type|' || m.identity || ' ' || t.typtype::text
		|| coalesce(' base ' || pg_catalog.format_type(NULLIF(t.typbasetype, 0), t.typtypmod), '')
		|| CASE WHEN t.typnotnull THEN ' not null' ELSE '' END
		|| coalesce(' default ' || t.typdefault, '')
		|| coalesce(' labels ' || (SELECT pg_catalog.string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
								   FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid), '')
		|| coalesce(' checks ' || (SELECT pg_catalog.string_agg(k.conname || ' ' || pg_catalog.pg_get_constraintdef(k.oid), '; ' ORDER BY k.conname)
								   FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid), '')
	FROM member m JOIN pg_catalog.pg_type t ON t.oid = m.objid
	WHERE m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
	UNION ALL
	SELECT 'event trigger|' || m.identity || ' on ' || e.evtevent || ' enabled ' || e.evtenabled::text
		|| ' function ' || e.evtfoid::pg_catalog.regprocedure::text
		|| coalesce(' tags ' || e.evttags::text, '')
	FROM member m JOIN pg_catalog.pg_event_trigger e ON e.oid = m.objid
	WHERE m.classid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass
)
SELECT line FROM facts ORDER BY line COLLATE "C";
