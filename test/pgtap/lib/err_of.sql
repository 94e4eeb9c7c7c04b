-- err_of(stmt): run stmt and return the SQLSTATE, detail and hint of the
-- error it raised (all NULL when it raised none).  \ir'd by the pgTAP files
-- that check what an error says, not only that it is raised.
CREATE FUNCTION pg_temp.err_of(stmt text, OUT state text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $f$
BEGIN
	EXECUTE stmt;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL,
		hint = PG_EXCEPTION_HINT;
END $f$;
