# ddc build. `make` builds every program into build/bin; `make test` builds
# with ASan+UBSan into build/asan and runs every test; `make run` starts the
# system; `make bench` and `make fuzz` measure and fuzz, `make soak` puts the
# broker under a hostile load; `make image` builds
# the container image ddc:latest. Each of these first installs the Debian
# packages it needs (scripts/deps.sh GROUP). Sources are found by wildcard: a
# new .c in a program's folder is built without editing this file.

CC       ?= cc
PKGS      = libczmq libzmq libcjson libcurl
BUILD    ?= build
SAN      ?=
OPT      ?= -O2 -g
# The warning flags of all ddc code (web/Makefile gets them from here).
WARN      = -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
# -MMD -MP: each object depends on the headers (and included .c files) it
# reads, written to a .d file beside it.
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(WARN) -MMD -MP \
             -Iservices/lib $(shell pkg-config --cflags $(PKGS)) $(OPT) $(SAN) $(CFLAGS)
LDLIBS_ALL = $(shell pkg-config --libs $(filter-out $(NOT_LINKED),$(PKGS))) -lm $(LDLIBS)
# What a program's link leaves out of PKGS (below: ddc-broker, libcurl).
NOT_LINKED =
# `make V=1` shows the compiler command lines.
Q = $(if $(V),,@)

LIB_SRC    = $(wildcard services/lib/*.c)
LIB_OBJ    = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB        = $(BUILD)/lib/libddc.a

PROGRAMS   = ddc-broker ddc-container ddc-ctl ddc-docker ddc-discord
TOOLS      = $(notdir $(basename $(wildcard tests/tools/*.c)))
UNIT_SRC   = $(wildcard tests/unit/test_*.c)
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC   = $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: format format-check all programs test unit run bench bench-scale fuzz image clean deps FORCE
.SECONDARY:
all: programs $(addprefix $(BUILD)/bin/,$(TOOLS)) $(UNIT_BIN)
programs: $(addprefix $(BUILD)/bin/,$(PROGRAMS)) $(BUILD)/bin/ddc-web

define COMPILE
@mkdir -p $(dir $@)
@$(if $(V),true,echo '  CC  $<')
$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@
endef

$(BUILD)/obj/%.o: %.c
	$(COMPILE)

# Tests and tools may include a service's .c files to test its internals:
# their .d files list those too.
$(BUILD)/obj/tests/%.o: tests/%.c
	$(COMPILE)

# A build tree with an object but not its .d file (built before -MMD;
# Kore's own objects have none) is built again from scratch, once.
STALE_OBJ := $(shell find $(BUILD)/obj -name '*.o' -not -path '*/web/kore/*' 2>/dev/null \
                 | while read -r o; do [ -f "$${o%.o}.d" ] || { echo "$$o"; break; }; done)
ifneq ($(STALE_OBJ),)
$(shell rm -rf $(BUILD)/obj $(BUILD)/lib $(BUILD)/bin $(BUILD)/tests)
endif

-include $(shell find $(BUILD)/obj -name '*.d' -not -path '*/obj/web/*' 2>/dev/null)

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

# The link step of every program, tool and unit test.
define LINK
@mkdir -p $(dir $@)
@$(if $(V),true,echo '  LD  $@')
$(Q)$(CC) $(CFLAGS_ALL) $^ -o $@ $(LDLIBS_ALL) $(EXTRA_LIBS)
endef

# ddc-NAME is linked from services/NAME/*.c and the library.
define PROGRAM
$$(BUILD)/bin/ddc-$(1): $$(patsubst %.c,$$(BUILD)/obj/%.o,$$(wildcard services/$(1)/*.c)) $$(LIB)
	$$(LINK)
endef
$(foreach p,$(PROGRAMS:ddc-%=%),$(eval $(call PROGRAM,$(p))))

# ddc-broker is not linked with libcurl: its watchdog loads it when switched
# on (services/lib/ddc_curl.h; dlopen is in bookworm's libc), so a broker
# without one maps none of libcurl's libraries.
$(BUILD)/bin/ddc-broker: NOT_LINKED = libcurl
# ddc-discord loads it at its start (rest.c): loaded, GnuTLS, mapped for
# librtmp and libldap, is not started (ddc_curl.c).
$(BUILD)/bin/ddc-discord: NOT_LINKED = libcurl
# So does ddc-docker (main.c; its engine and webhook use the loaded table).
$(BUILD)/bin/ddc-docker: NOT_LINKED = libcurl
# ddc-ctl hashes web passwords (ddc_pwhash: libsodium, libcrypto).
$(BUILD)/bin/ddc-ctl: EXTRA_LIBS = $(shell pkg-config --libs libsodium libcrypto)
# ddc-broker makes and checks the web UI's setup code and hashes the
# sign-in limit's keys (libsodium), and keeps its history deflated (zlib);
# so do its unit tests.
$(BUILD)/bin/ddc-broker: EXTRA_LIBS = $(shell pkg-config --libs libsodium zlib)
$(BUILD)/tests/test_broker_signin: EXTRA_LIBS = $(shell pkg-config --libs libsodium)
$(BUILD)/tests/test_broker_store: EXTRA_LIBS = $(shell pkg-config --libs zlib)
# ddc-discord also links libwebsockets, zlib and OpenSSL (the CA folder of wss://).
$(BUILD)/bin/ddc-discord: EXTRA_LIBS = $(shell pkg-config --libs libwebsockets zlib openssl)
# ddc_locale.c compiles the locale catalogue in (.incbin): rebuild it when
# a locale file changes (ddc-web and ddc-discord relink with the library).
$(BUILD)/obj/services/lib/ddc_locale.o: $(wildcard services/locale/*.json)

# The unit tests of ddc-discord's feature modules drive them through their
# headers, linked with the bot's objects (all but main.c).
DISCORD_UNIT = $(addprefix $(BUILD)/tests/test_discord_,commands overviews panels)
DISCORD_OBJ  = $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out services/discord/main.c,$(wildcard services/discord/*.c)))
$(DISCORD_UNIT): $(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(DISCORD_OBJ) $(LIB)
	$(LINK)
$(DISCORD_UNIT): EXTRA_LIBS = $(shell pkg-config --libs libwebsockets zlib openssl)

# ddc-web is built by web/Makefile (Kore's sources, the web sources and the
# assets in one binary); it decides itself whether anything changed.
$(BUILD)/bin/ddc-web: $(LIB) FORCE
	$(Q)$(MAKE) --no-print-directory -C web BUILD=$(abspath $(BUILD)) SAN="$(SAN)" OPT="$(OPT)" CC="$(CC)" WARN="$(WARN)"
# The web unit tests include web/*.c, which hash with libsodium and sign with libcrypto.
$(BUILD)/tests/test_web_auth: EXTRA_LIBS = $(shell pkg-config --libs libsodium libcrypto)
$(BUILD)/tests/test_web_render: EXTRA_LIBS = $(shell pkg-config --libs libsodium)
# ddc-ctl import-ddc's tests: Fernet tokens and password hashes.
$(BUILD)/tests/test_import_ddc: EXTRA_LIBS = $(shell pkg-config --libs libsodium libcrypto)

$(BUILD)/bin/%: $(BUILD)/obj/tests/tools/%.o $(LIB)
	$(LINK)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	$(LINK)

# Everything under test runs with AddressSanitizer and UndefinedBehaviorSanitizer.
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test:
	scripts/deps.sh test
	$(MAKE) format-check
	$(MAKE) BUILD=build/asan SAN="$(ASAN_FLAGS)" OPT="-O1 -g" all
	DDC_BIN=$(CURDIR)/build/asan/bin DDC_TESTS=$(CURDIR)/build/asan/tests scripts/test-all

unit:
	$(MAKE) BUILD=build/asan SAN="$(ASAN_FLAGS)" OPT="-O1 -g" all
	DDC_TESTS=$(CURDIR)/build/asan/tests scripts/test-all --unit-only

# The house style of the C code: .clang-format plus scripts/c-style.py (the
# rules clang-format cannot check: `//` comments, `sizeof (x)`). `make
# format` rewrites the files; `make format-check` (the first step of make
# test) lists what differs and fails.
C_STYLE_FILES = $(sort $(shell find services web tests -name '*.[ch]' -not -path '*/node_modules/*'))
format:
	/usr/bin/python3 scripts/c-style.py --fix $(C_STYLE_FILES)
	clang-format -i $(C_STYLE_FILES)

format-check:
	@/usr/bin/python3 scripts/c-style.py --check $(C_STYLE_FILES)
	@clang-format --dry-run --Werror $(C_STYLE_FILES) 2>&1 | head -40; \
	  clang-format --dry-run --Werror $(C_STYLE_FILES) >/dev/null 2>&1 \
	  || { echo "the C files are not in the house style: run make format" >&2; exit 1; }
	@echo "format-check: $(words $(C_STYLE_FILES)) C files in the house style"

# deps first (a fresh machine has no compiler), then the build.
run:
	scripts/deps.sh run
	$(MAKE) programs
	DDC_BIN=$(abspath $(BUILD))/bin scripts/run.sh

bench:
	scripts/deps.sh bench
	$(MAKE) programs $(addprefix $(BUILD)/bin/,$(TOOLS))
	DDC_BIN=$(abspath $(BUILD))/bin scripts/bench.sh

# ddc at scale alone: AGENTS CONTAINERS RUNNING ROUNDS (see scripts/bench-scale.sh).
BENCH_SCALE ?= 20 1000 100 20
bench-scale:
	scripts/deps.sh bench
	$(MAKE) programs
	DDC_BIN=$(abspath $(BUILD))/bin scripts/bench-scale.sh $(BENCH_SCALE)

# A mixed hostile load on one broker for SOAK_SECONDS (default 600); prints
# its peak RSS and longest loop step. Not part of make test.
SOAK_SECONDS ?= 600
soak: programs
	SOAK_SECONDS=$(SOAK_SECONDS) DDC_BIN=$(abspath $(BUILD))/bin /usr/bin/python3 tests/soak/soak_hostile.py

# libFuzzer targets: each tests/fuzz/fuzz_X.c links the library sources but
# the ones it includes itself (as the unit tests do, to reach a module's
# statics); fuzz_broker and fuzz_store also the broker's (fuzz_broker
# compiles broker.c in itself, to reach its dispatch).
# `make fuzz FUZZ="fuzz_json fuzz_ws"` (or FUZZ_ONLY=NAME) builds and runs only those.
FUZZ_SECONDS ?= 60
FUZZ_ONLY ?=
FUZZ ?= $(if $(FUZZ_ONLY),$(FUZZ_ONLY),$(FUZZ_SRC:tests/fuzz/%.c=%))
BROKER_FUZZ_SRC = $(filter-out services/broker/main.c services/broker/broker.c,$(wildcard services/broker/*.c))
fuzz:
	scripts/deps.sh fuzz
	@mkdir -p build/fuzz
	@for n in $(FUZZ); do \
	  f=tests/fuzz/$$n.c; \
	  libs=$$(for s in $(LIB_SRC); do grep -q "\"../../$$s\"" $$f || echo $$s; done); \
	  case $$n in fuzz_broker|fuzz_store) extra="$(BROKER_FUZZ_SRC)";; *) extra="";; esac; \
	  echo "  FUZZ $$n"; \
	  clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Iservices/lib \
	    $$(pkg-config --cflags $(PKGS)) $$f $$libs $$extra -o build/fuzz/$$n \
	    $$(pkg-config --libs $(PKGS) libsodium libcrypto zlib) -lm || exit 1; \
	done
	scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ)

# The container image ddc:latest (Dockerfile); the Debian base image is made
# locally with mmdebstrap when it is missing (scripts/image.sh).
image:
	scripts/deps.sh image
	scripts/image.sh

# Every group: build, run, test, bench, fuzz, image.
deps:
	scripts/deps.sh

clean:
	rm -rf build
