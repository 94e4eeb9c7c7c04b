--
-- errors: malformed users, and evaluation errors with their SQLSTATEs.
--

-- the user must be a JSON object with correctly typed fields
SELECT check_gate('[]', 'nz_only');
SELECT check_gate('"u1"', 'nz_only');
SELECT check_gate('null', 'nz_only');
SELECT get_feature_gate('{"userID": "u1", "email": 5}', 'nz_only');
SELECT get_dynamic_config('{"userID": "u1", "custom": []}', 'colors');
SELECT get_experiment('{"userID": "u1", "customIDs": {"companyID": {"a": 1}}}', 'exp');
SELECT get_layer('{"userID": "u1", "customIDs": "acme"}', 'pricing');
SELECT get_layer('{"userID": "u1", "privateAttributes": 1}', 'pricing');

SELECT sqlstate_of($$SELECT check_gate('[]', 'nz_only')$$) AS not_object,
       sqlstate_of($$SELECT check_gate('{"userID": "u1", "custom": []}', 'nz_only')$$) AS wrong_type,
       sqlstate_of($$SELECT check_gate('{"userID":', 'nz_only')$$) AS bad_json;

-- a bad user in one row fails the whole statement
SELECT check_gate(u, 'nz_only')
FROM (VALUES ('{"userID": "u1"}'::jsonb), ('[1]'::jsonb)) AS t(u);

-- errors do not leave the session in a bad state
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS still_works;

-- an error inside a subtransaction, caught, then more evaluations
DO $$
BEGIN
	BEGIN
		PERFORM get_experiment('{"custom": 5}', 'exp');
	EXCEPTION WHEN invalid_parameter_value THEN
		RAISE NOTICE 'caught: %', SQLERRM;
	END;
	RAISE NOTICE 'after: %', check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only');
END
$$;

-- the trigger function refuses to be called directly
SELECT ea_invalidate_cache();
