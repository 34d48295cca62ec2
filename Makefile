# Reach — one binary, built with GNU make and pkg-config.
#
#   make            build build/reach (development flags: warnings are errors)
#   make run        install what is missing, build, create demo data, serve
#   make test       install what is missing, build, run every test
#   make asan       the same tests under AddressSanitizer + UBSan
#   make bench      the benchmarks under bench/
#   make bench-national  the national demo's import (15 minutes, 45 GB of disk)
#   make install    install under PREFIX (default /usr/local)
#   make V=1        show the compiler command lines

PREFIX   ?= /usr/local
BUILD    ?= build
DATA     ?= $(or $(REACH_DATA),./reach-data)
PKGS      = libmicrohttpd sqlite3 libsodium jansson icu-uc icu-i18n zlib xlsxwriter libzip

# Debian packages the build, the tests and the benchmarks need.
DEB_BUILD = build-essential pkg-config gettext libmicrohttpd-dev libsqlite3-dev \
            libsodium-dev libjansson-dev libicu-dev zlib1g-dev libcmocka-dev libcsv-dev sqlite3 \
            libxlsxwriter-dev libzip-dev
DEB_TEST  = nodejs=node npm=npm chromium curl sqlite3
DEB_ASAN  = clang libclang-rt-14-dev
DEB_BENCH = wrk nginx-light time

CC       ?= cc
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Werror
OPT      ?= -O2 -g
CFLAGS   += -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -Isrc -I$(BUILD)/gen -pthread \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -pthread -lm
TEST_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

# Every .c under src/ is part of the program, except main.c and the tests.
SRC      := $(shell find src -name '*.c' ! -name '*_test.c' ! -name main.c | sort)
TESTSRC  := $(shell find src -name '*_test.c' | sort)
OBJ      := $(SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
TESTBIN  := $(TESTSRC:src/%.c=$(BUILD)/test/%)
# Catalogs: po/LANG/*.po, one file per module, joined into one .mo a language.
LANGS    := $(notdir $(wildcard po/*))
MO       := $(LANGS:%=$(BUILD)/mo/%.mo)
EMBED    := $(sort $(wildcard src/store/migrations/*.sql) $(wildcard templates/*.html) \
            $(wildcard static/*)) $(MO)

all: $(BUILD)/reach

Q = @
ifeq ($(V),1)
Q =
endif

$(BUILD)/reach: $(BUILD)/src/main.o $(OBJ)
	@echo "  LINK $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC   $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

.SECONDEXPANSION:
$(BUILD)/mo/%.mo: $$(wildcard po/%/*.po)
	@mkdir -p $(dir $@)
	@echo "  MO   $@"
	$(Q)msgcat --use-first -o $@.po $^ && msgfmt --check -o $@ $@.po && rm -f $@.po

# Migrations, templates, static files and catalogs travel inside the binary,
# so one file is the whole program on a small board.
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED)
	@mkdir -p $(dir $@)
	@echo "  GEN  $@"
	$(Q)$(BUILD)/tools/embed $(EMBED) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) -std=c17 $(OPT) -c -o $@ $<

$(BUILD)/test/%: src/%.c $(OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST $@"
	$(Q)$(CC) $(CFLAGS) -Itests/lib -o $@ $^ $(LDLIBS) $(TEST_LIBS)

tests: $(TESTBIN)

# Installs the Debian packages that are missing (as root), or says how.
deps:
	@sh tools/deps.sh $(DEB_BUILD)

deps-test:
	@sh tools/deps.sh $(DEB_BUILD) $(DEB_TEST)
	@sh tools/npm-deps.sh

deps-asan: deps-test
	@sh tools/deps.sh $(DEB_ASAN)

deps-bench:
	@sh tools/deps.sh $(DEB_BUILD) $(DEB_BENCH)
	@sh tools/deps.sh nodejs=node npm=npm

run: deps
	@$(MAKE) --no-print-directory all
	@sh tools/run.sh $(BUILD)/reach $(DATA)

test: deps-test
	@$(MAKE) --no-print-directory all tests
	@sh tests/run.sh $(BUILD)

asan: deps-asan
	@$(MAKE) --no-print-directory BUILD=build-asan CC=clang \
	  OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	  all tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  sh tests/run.sh build-asan

bench: deps-bench
	@$(MAKE) --no-print-directory all
	@sh bench/http/run.sh $(BUILD)/reach
	@sh bench/import/run.sh $(BUILD)/reach
	@sh bench/registry/run.sh $(BUILD)/reach
	@sh bench/linkage/run.sh $(BUILD)/reach

bench-national: deps-bench
	@$(MAKE) --no-print-directory all
	@sh bench/import/national.sh $(BUILD)/reach

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/reach $(DESTDIR)$(PREFIX)/bin/reach

clean:
	rm -rf build build-asan

.PHONY: all tests deps deps-test deps-asan deps-bench run test asan bench bench-national install clean
.DELETE_ON_ERROR:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
