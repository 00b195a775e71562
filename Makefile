# tfg — build, test, install.  `make run` and `make test` install missing
# Debian packages first (tools/install-deps.sh), then build and run.

CC       ?= cc
PREFIX   ?= /usr/local
BUILD    ?= build
OPT      ?= -O2
SAN      ?=
CFLAGS_BASE = -std=c11 $(OPT) -g -Wall -Wextra -Werror -D_GNU_SOURCE -MMD -MP \
              -I. -I$(BUILD) -I/usr/include/x86_64-linux-gnu $(SAN)
CFLAGS  ?=
ALL_CFLAGS = $(CFLAGS_BASE) $(CFLAGS)
# flex/bison output: generated code, a few warnings it cannot avoid are silenced here only
GEN_CFLAGS = $(ALL_CFLAGS) -Wno-unused-function -Wno-sign-compare -Wno-unused-parameter
LDLIBS   = -lz -lm -lpthread -ldl
LDFLAGS  ?=

LIB_SRC  = $(sort $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard runtime/*.c) $(wildcard opencl/*.c))
GEN_SRC  = $(BUILD)/parser.c $(BUILD)/lexer.c
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/parser.o $(BUILD)/lexer.o
MAIN_OBJ = $(BUILD)/src/main.o
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test check unit cli conformance sanitize bench fuzz install clean

all: tfg

tfg: $(BUILD)/tfg
	cp $(BUILD)/tfg tfg

$(BUILD)/tfg: $(MAIN_OBJ) $(BUILD)/libtfg.a
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libtfg.a: $(LIB_OBJ)
	rm -f $@; ar rcs $@ $^

$(BUILD)/parser.c $(BUILD)/parser.h: grammar/parser.y
	@mkdir -p $(BUILD)
	bison -Wall -Werror --defines=$(BUILD)/parser.h -o $(BUILD)/parser.c $<

$(BUILD)/lexer.c $(BUILD)/lexer.h: grammar/lexer.l $(BUILD)/parser.h
	@mkdir -p $(BUILD)
	flex --header-file=$(BUILD)/lexer.h -o $(BUILD)/lexer.c $<

$(BUILD)/parser.o: $(BUILD)/parser.c $(BUILD)/lexer.h
	$(CC) $(GEN_CFLAGS) -c -o $@ $<
$(BUILD)/lexer.o: $(BUILD)/lexer.c $(BUILD)/parser.h
	$(CC) $(GEN_CFLAGS) -c -o $@ $<

# every object may include the generated headers
$(BUILD)/%.o: %.c | $(BUILD)/parser.h $(BUILD)/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtfg.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libtfg.a -lcmocka $(LDLIBS)

deps:
	@sh tools/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory tfg
	./tfg run samples/matmul.tfg

# Everything: unit tests, golden CLI tests, conformance, then all of it again
# under AddressSanitizer + UndefinedBehaviorSanitizer.
test: deps
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory sanitize

check: tfg $(UNIT_BIN)
	@sh tests/run-unit.sh $(BUILD)/tests
	@sh tests/cli/run.sh ./tfg
	@if [ -x ../shared/conformance/run.sh ]; then echo "== conformance"; ../shared/conformance/run.sh ./tfg; \
	 else echo "== conformance: ../shared/conformance not present, skipped"; fi

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(BUILD)/tests

cli: tfg
	@sh tests/cli/run.sh ./tfg

sanitize:
	@echo "== sanitizers (ASan + UBSan)"
	@$(MAKE) --no-print-directory BUILD=build-san OPT=-O1 \
	   SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	   build-san/tfg $(UNIT_BIN:$(BUILD)/%=build-san/%)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/run-unit.sh build-san/tests
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/cli/run.sh build-san/tfg
	@if [ -x ../shared/conformance/run.sh ]; then ASAN_OPTIONS=detect_leaks=1 ../shared/conformance/run.sh build-san/tfg; fi

bench: tfg
	@sh bench/run.sh

fuzz:
	@sh tests/fuzz/build.sh

install: tfg
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 tfg $(DESTDIR)$(PREFIX)/bin/tfg
	install -m 644 man/tfg.1 $(DESTDIR)$(PREFIX)/share/man/man1/tfg.1
	install -m 644 man/tfg.5 $(DESTDIR)$(PREFIX)/share/man/man5/tfg.5

clean:
	rm -rf build build-san build-fuzz tfg

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
