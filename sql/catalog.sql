--
-- catalog: the views and info functions, and the functions' declared
-- attributes.
--
SELECT * FROM config_specs_info();
SELECT * FROM ea_specs ORDER BY kind, name;
SELECT kind, entity, count(*) FROM list_specs() GROUP BY 1, 2 ORDER BY 1, 2;

SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v2';
SELECT * FROM ea_specs ORDER BY kind, name;
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';

-- every function: volatility, strictness, parallel safety, comment
SELECT p.oid::regprocedure AS function, p.provolatile AS vol, p.proisstrict AS strict,
       p.proparallel AS par, p.prosecdef AS secdef,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS has_comment
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'experiment_assign'
ORDER BY p.proname, p.pronargs;

-- the extension's tables and views, and whether pg_dump keeps their data
SELECT c.relname, c.relkind, c.oid = ANY (e.extconfig) AS dumped
FROM pg_class c
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'experiment_assign'
ORDER BY c.relname;
