-- versions: the loaded library's, the extension's in this database, and
-- the check that library features needing a newer version make
SELECT experiment_assign_library_version() = extversion AS library_is_extension_version
FROM pg_extension WHERE extname = 'experiment_assign';
SELECT experiment_assign_require_version('0.1.0') = extversion AS older_is_enough,
	   experiment_assign_require_version(extversion) = extversion AS same_is_enough
FROM pg_extension WHERE extname = 'experiment_assign';
SELECT experiment_assign_require_version(NULL) IS NULL AS strict;

-- a newer version than this library's: the hint says to install it
SELECT experiment_assign_require_version('99.0');

-- not a version
SELECT experiment_assign_require_version('0.2.x');
SELECT experiment_assign_require_version('');
SELECT experiment_assign_require_version('1..2');
