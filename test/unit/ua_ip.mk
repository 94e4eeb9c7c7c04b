# ua_ip.mk - build and run the user-agent and IP unit tests.
#
# Standalone:   make -f test/unit/ua_ip.mk check-ua-ip
# Or include it from another makefile and depend on check-ua-ip.
#
# UA_IP_DATADIR is the directory with Server Core's test data
# (ua_string_cases.json, test_must_pass_user_agents.txt and
# ip_supalite.table); it defaults to the shared data beside the repo.

UA_IP_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../..)

UA_IP_CC ?= cc
UA_IP_CFLAGS ?= -std=c99 -Wall -Wextra -Werror -O2
UA_IP_DATADIR ?= $(UA_IP_ROOT)/../shared/statsig-data/server-core
UA_IP_BUILD ?= $(UA_IP_ROOT)/build/unit

UA_IP_CORE := $(UA_IP_ROOT)/src/core
UA_IP_JSONC_CFLAGS := $(shell pkg-config --cflags json-c)
UA_IP_JSONC_LIBS := $(shell pkg-config --libs json-c)

.PHONY: check-ua-ip ua-ip-tests clean-ua-ip

ua-ip-tests: $(UA_IP_BUILD)/test_ua $(UA_IP_BUILD)/test_ip

check-ua-ip: ua-ip-tests
	$(UA_IP_BUILD)/test_ua $(UA_IP_DATADIR)
	$(UA_IP_BUILD)/test_ip $(UA_IP_DATADIR)

$(UA_IP_BUILD)/test_ua: $(UA_IP_ROOT)/test/unit/test_ua.c \
		$(UA_IP_CORE)/ea_ua.c $(UA_IP_CORE)/ea_ua.h
	@mkdir -p $(UA_IP_BUILD)
	$(UA_IP_CC) $(UA_IP_CFLAGS) -I$(UA_IP_CORE) $(UA_IP_JSONC_CFLAGS) \
		-o $@ $(UA_IP_ROOT)/test/unit/test_ua.c $(UA_IP_CORE)/ea_ua.c \
		$(UA_IP_JSONC_LIBS)

$(UA_IP_BUILD)/test_ip: $(UA_IP_ROOT)/test/unit/test_ip.c \
		$(UA_IP_CORE)/ea_ip.c $(UA_IP_CORE)/ea_ip.h
	@mkdir -p $(UA_IP_BUILD)
	$(UA_IP_CC) $(UA_IP_CFLAGS) -I$(UA_IP_CORE) \
		-o $@ $(UA_IP_ROOT)/test/unit/test_ip.c $(UA_IP_CORE)/ea_ip.c

clean-ua-ip:
	rm -f $(UA_IP_BUILD)/test_ua $(UA_IP_BUILD)/test_ip
