--
-- id_lists: loading ID lists and in_segment_list / not_in_segment_list.
--
SELECT * FROM ea_id_list_sizes;
SELECT check_gate('{"userID": "alice"}', 'beta') AS beta,
       check_gate('{"userID": "alice"}', 'not_beta') AS not_beta;

-- raw unit ids are hashed
SELECT load_id_list('beta_users', ARRAY['alice', 'bob', 'alice']);
SELECT * FROM ea_id_lists ORDER BY id_hash;
SELECT u, check_gate(jsonb_build_object('userID', u), 'beta') AS beta,
       check_gate(jsonb_build_object('userID', u), 'not_beta') AS not_beta
FROM unnest(ARRAY['alice', 'bob', 'carol']) AS u ORDER BY u;

-- loading again replaces the list
SELECT load_id_list('beta_users', ARRAY['carol']);
SELECT u, check_gate(jsonb_build_object('userID', u), 'beta') AS beta
FROM unnest(ARRAY['alice', 'bob', 'carol']) AS u ORDER BY u;

-- already hashed ids
SELECT load_id_list_hashes('beta_users', (SELECT array_agg(id_hash) FROM ea_id_lists));
SELECT load_id_list_hashes('other_list', ARRAY['AAAAAAAA', 'BBBBBBBB']);
SELECT * FROM ea_id_list_sizes ORDER BY list_name;

-- Statsig's ID-list file format: +hash adds, -hash removes, in order
SELECT load_id_list('beta_users', ARRAY['alice', 'bob']);
SELECT load_id_list_file('file_list', E'+AAAAAAAA\n+BBBBBBBB\n+CCCCCCCC\n-BBBBBBBB\n');
SELECT id_hash FROM ea_id_lists WHERE list_name = 'file_list' ORDER BY 1;
-- incremental (reset => false): applied to what is there
SELECT load_id_list_file('file_list', E'-AAAAAAAA\r\n+DDDDDDDD\r\n+AAAAAAAA\n-CCCCCCCC', false);
SELECT id_hash FROM ea_id_lists WHERE list_name = 'file_list' ORDER BY 1;
-- reset (the default): the file is the whole list
SELECT load_id_list_file('file_list', E'+EEEEEEEE\n\n+FFFFFFFF\n');
SELECT id_hash FROM ea_id_lists WHERE list_name = 'file_list' ORDER BY 1;
-- an empty file empties the list
SELECT load_id_list_file('file_list', '');

-- the hashes of unit ids, as a Statsig ID-list file gives them
SELECT load_id_list_file('beta_users',
	(SELECT string_agg('+' || id_hash, E'\n' ORDER BY id_hash) FROM ea_id_lists
	 WHERE list_name = 'beta_users'));
SELECT check_gate('{"userID": "bob"}', 'beta') AS bob;

-- malformed input: errors, nothing changes
SELECT load_id_list_file('beta_users', E'+AAAAAAAA\nBBBBBBBB\n');
SELECT load_id_list_file('beta_users', E'+AAAAAAAA\n+\n');
SELECT load_id_list_file('beta_users', E'+AAAAAAAAAAAAAAAAAAAAAAAA\n');
SELECT load_id_list_hashes('beta_users', ARRAY['AAAA AAA']);
SELECT load_id_list_hashes('beta_users', ARRAY['']);
SELECT load_id_list('beta_users', ARRAY['alice', NULL]);
SELECT load_id_list('', ARRAY['alice']);
SELECT load_id_list(repeat('n', 256), ARRAY['alice']);
SELECT load_id_list(NULL, ARRAY['alice']) IS NULL AS strict;
SELECT count(*) FROM ea_id_lists WHERE list_name = 'beta_users';

-- a rolled-back change is not seen
BEGIN;
SELECT drop_id_list('beta_users');
SELECT check_gate('{"userID": "bob"}', 'beta') AS bob_in_transaction;
ROLLBACK;
SELECT check_gate('{"userID": "bob"}', 'beta') AS bob_after_rollback;

-- drop_id_list
SELECT drop_id_list('other_list'), drop_id_list('no_such_list');
SELECT * FROM ea_id_list_sizes ORDER BY list_name;
