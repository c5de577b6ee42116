# paperboy — one non-recursive GNU Makefile: build, test, demo, bench, fuzz, lint.
#   make            release build in build/rel/paperboy
#   make test       install deps, build with ASan+UBSan, run every test; ends "N passed, N failed"
#   make demo       install deps, build, import the bundled sample, serve the site on :8080
#   make fuzz       run each libFuzzer campaign for FUZZ_SECONDS (clang)
#   make bench      the side-by-side benchmarks in bench/ (slow; see docs/BENCHMARKS.md)
#   make lint       clang-format dry run + module-boundary checks

CC ?= cc
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
        -Wimplicit-fallthrough -Wno-format-nonliteral
# gcc warns that canonical date strings "may be truncated"; the values are range-checked first.
# clang flags long SQL strings split over lines in an array as "suspicious concatenation".
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
WARN += -Wno-format-truncation
else
WARN += -Wno-string-concatenation
endif
# The test build (what make test and CI run) treats warnings as errors on every machine, so a
# warning never passes here and fails CI; the release build does not, so make demo survives a
# newer compiler's new warnings.
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -g $(WARN) -MMD -MP
LIBS := -lsqlite3 -lexpat -ljansson -lz -lstemmer -lutf8proc -lsodium -lmicrohttpd -lcurl -lm \
        -lpthread

SRC := $(sort $(wildcard src/*/*.c))
LIB_SRC := $(filter-out src/main.c,$(SRC))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

REL := build/rel
ASAN := build/asan

REL_OBJ := $(patsubst %.c,$(REL)/%.o,$(LIB_SRC))
ASAN_OBJ := $(patsubst %.c,$(ASAN)/%.o,$(LIB_SRC))
UNIT_BIN := $(patsubst tests/unit/%.c,$(ASAN)/tests/%,$(UNIT_SRC))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(ASAN)/fuzz/%,$(FUZZ_SRC))

.PHONY: all test demo deps fuzz bench lint clean check-build
all: $(REL)/paperboy

deps:
	@sh scripts/deps.sh

$(REL)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O2 -c $< -o $@

$(ASAN)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Werror -O1 $(SAN_FLAGS) -c $< -o $@

$(REL)/paperboy: $(REL)/src/main.o $(REL_OBJ)
	$(CC) -o $@ $^ $(LIBS)

$(ASAN)/paperboy: $(ASAN)/src/main.o $(ASAN_OBJ)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

$(ASAN)/tests/%: $(ASAN)/tests/unit/%.o $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

$(ASAN)/fuzz/%: $(ASAN)/tests/fuzz/%.o $(ASAN)/tests/fuzz/replay.o $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

check-build: $(ASAN)/paperboy $(UNIT_BIN) $(FUZZ_BIN)

test: deps
	@$(MAKE) --no-print-directory -j2 check-build
	@sh tests/run.sh $(ASAN)

demo: deps
	@$(MAKE) --no-print-directory -j2 $(REL)/paperboy
	@sh scripts/demo.sh $(REL)/paperboy

# libFuzzer campaigns (clang): build/fuzz/NAME, corpus tests/fuzz/corpus/NAME.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined
fuzz:
	@mkdir -p build/fuzz
	@for f in $(FUZZ_SRC); do \
	    n=$$(basename $$f .c); name=$${n#fuzz_}; \
	    clang $(FUZZ_CFLAGS) -o build/fuzz/$$n $$f $(LIB_SRC) $(LIBS) || exit 1; \
	    mkdir -p tests/fuzz/corpus/$$name; \
	    ./build/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	        -artifact_prefix=tests/fuzz/corpus/$$name/crash- tests/fuzz/corpus/$$name || exit 1; \
	done

bench: $(REL)/paperboy
	@sh bench/run.sh

lint:
	@clang-format --dry-run --Werror $(SRC) $(wildcard src/*/*.h) 2>&1 | head -50
	@sh scripts/check-modules.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
