--
-- assign_trigger: assign_experiment_trigger() (assign on insert/update)
-- and its misuse errors.  Uses sticky_docs from the persistence test.
--
SELECT use_doc('base');
DELETE FROM ea_assignments;

-- a jsonb StatsigUser; the result column receives the whole result
CREATE TABLE t_signup (id int PRIMARY KEY, u jsonb, assignment jsonb);
CREATE TRIGGER assign BEFORE INSERT OR UPDATE ON t_signup FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'assignment');
INSERT INTO t_signup (id, u) VALUES
	(1, '{"userID": "sticky_user_1"}'),
	(2, '{"userID": "sticky_user_0"}'),
	(3, '{"userID": "sticky_user_1"}'),
	(4, NULL),
	(5, '{"email": "no-unit@example.com"}');
SELECT id, brief(assignment) FROM t_signup ORDER BY id;
SELECT * FROM stored;
-- the stored group sticks when the allocation changes
SELECT use_doc('alloc_zero');
INSERT INTO t_signup (id, u) VALUES (6, '{"userID": "sticky_user_1"}'), (7, '{"userID": "new_user"}');
SELECT id, brief(assignment) FROM t_signup WHERE id >= 6 ORDER BY id;
-- UPDATE re-assigns (sticky)
UPDATE t_signup SET assignment = NULL WHERE id = 1;
SELECT id, brief(assignment) FROM t_signup WHERE id = 1;
SELECT use_doc('base');

-- a scalar unit id of any type; the result column receives the group name
CREATE TABLE t_orders (order_id int, customer bigint, grp text);
CREATE TRIGGER assign BEFORE INSERT ON t_orders FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'customer', 'grp');
INSERT INTO t_orders SELECT i, 100 + i % 3 FROM generate_series(1, 6) AS i;
SELECT customer, array_agg(DISTINCT grp) AS groups, count(*) FROM t_orders GROUP BY 1 ORDER BY 1;
SELECT unit_id, id_type, group_name FROM ea_assignments WHERE unit_id LIKE '10_' ORDER BY 1;

-- a custom id type: the fourth argument makes {"customIDs": {idType: x}}
SELECT use_doc('company');
CREATE TABLE t_company (company text, grp varchar(20));
CREATE TRIGGER assign BEFORE INSERT ON t_company FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'company', 'grp', 'companyID');
INSERT INTO t_company VALUES ('acme'), ('acme'), ('globex');
SELECT company, grp FROM t_company ORDER BY 1, 2;
SELECT unit_id, id_type, group_name FROM ea_assignments WHERE id_type = 'companyID' ORDER BY 1;
-- without it, the experiment's id type is used
CREATE TABLE t_company2 (company text, grp text);
CREATE TRIGGER assign BEFORE INSERT ON t_company2 FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'company', 'grp');
INSERT INTO t_company2 VALUES ('acme');
SELECT company, grp FROM t_company2;
SELECT use_doc('base');

-- set-based: INSERT ... SELECT of 10,000 rows, 4,000 units (duplicates)
CREATE TABLE t_bulk (id int, u jsonb, grp text);
CREATE TRIGGER assign BEFORE INSERT ON t_bulk FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'grp');
INSERT INTO t_bulk (id, u)
SELECT i, jsonb_build_object('userID', 'tb' || (i % 4000)) FROM generate_series(1, 10000) AS i;
SELECT count(*) AS rows, count(DISTINCT u) AS units FROM t_bulk;
SELECT count(*) AS stored FROM ea_assignments WHERE unit_id LIKE 'tb%';
SELECT count(*) AS units_with_two_groups
FROM (SELECT u FROM t_bulk GROUP BY u HAVING count(DISTINCT grp) > 1) s;
SELECT count(*) AS disagreements
FROM t_bulk b JOIN ea_assignments a ON a.unit_id = b.u ->> 'userID' AND a.config_name = 'sticky_exp'
WHERE b.grp IS DISTINCT FROM a.group_name;
DROP TABLE t_bulk;

-- misuse: each is an error at the first row
\set VERBOSITY default
CREATE TABLE t_bad (id int, u jsonb, r text, n int, a text[]);
INSERT INTO t_bad VALUES (1, '{"userID": "x"}');
SELECT assign_experiment_trigger();
CREATE TRIGGER bad BEFORE INSERT ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u');
INSERT INTO t_bad (id, u) VALUES (2, '{"userID": "x"}');
DROP TRIGGER bad ON t_bad;
CREATE TRIGGER bad BEFORE INSERT ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'r', 'userID', 'extra');
INSERT INTO t_bad (id, u) VALUES (2, '{"userID": "x"}');
DROP TRIGGER bad ON t_bad;
CREATE TRIGGER bad BEFORE INSERT ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'no_such', 'r');
INSERT INTO t_bad (id, u) VALUES (2, '{"userID": "x"}');
DROP TRIGGER bad ON t_bad;
CREATE TRIGGER bad BEFORE INSERT ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'no_such');
INSERT INTO t_bad (id, u) VALUES (2, '{"userID": "x"}');
DROP TRIGGER bad ON t_bad;
CREATE TRIGGER bad BEFORE INSERT ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'n');
INSERT INTO t_bad (id, u) VALUES (2, '{"userID": "x"}');
DROP TRIGGER bad ON t_bad;
CREATE TRIGGER bad BEFORE INSERT ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'a', 'r');
INSERT INTO t_bad (id, u) VALUES (2, '{"userID": "x"}');
DROP TRIGGER bad ON t_bad;
CREATE TRIGGER bad BEFORE INSERT ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'u');
INSERT INTO t_bad (id, u) VALUES (2, '{"userID": "x"}');
DROP TRIGGER bad ON t_bad;
CREATE TRIGGER bad BEFORE INSERT ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'id', 'r', '');
INSERT INTO t_bad (id, u) VALUES (2, '{"userID": "x"}');
DROP TRIGGER bad ON t_bad;
CREATE TRIGGER bad AFTER INSERT ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'r');
INSERT INTO t_bad (id, u) VALUES (2, '{"userID": "x"}');
DROP TRIGGER bad ON t_bad;
CREATE TRIGGER bad BEFORE INSERT ON t_bad FOR EACH STATEMENT
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'r');
INSERT INTO t_bad (id, u) VALUES (2, '{"userID": "x"}');
DROP TRIGGER bad ON t_bad;
CREATE TRIGGER bad BEFORE DELETE ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'r');
DELETE FROM t_bad;
DROP TRIGGER bad ON t_bad;
-- a malformed user in a row
CREATE TRIGGER bad BEFORE INSERT ON t_bad FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'r');
INSERT INTO t_bad (id, u) VALUES (2, '[1]');
DROP TABLE t_bad;

DROP TABLE t_signup, t_orders, t_company, t_company2;
SELECT delete_experiment_assignments('sticky_exp') AS deleted;
