# The two commands of the quick start, and what they need. `make serve` runs sluice on the example
# policies; `make test` runs every test (installing system packages and test peers when run as root).
.PHONY: all deps system-deps build serve test clean

NODE_MODULES_STAMP := node_modules/.sluice-installed

all: build

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(NODE_MODULES_STAMP)

# System packages and test peers (clang and libbpf for the eBPF object, librdkafka, kcat, Kafka's
# jars...): each .ci/deps/*.sh installs its area's, as root, and says what it skips otherwise.
system-deps:
	scripts/test-deps.sh

# The TypeScript part is `npm run build` (scripts/build.mjs: tsc plus the assets dist/ needs).
build: deps
	npm run --silent build
	@if [ -f bpf/Makefile ]; then $(MAKE) --no-print-directory -C bpf; fi

serve: build
	scripts/serve.sh

# System dependencies first, so that the build can compile what needs them (the eBPF object).
test:
	$(MAKE) --no-print-directory system-deps
	$(MAKE) --no-print-directory build
	scripts/test.sh

clean:
	rm -rf dist
	@if [ -f bpf/Makefile ]; then $(MAKE) --no-print-directory -C bpf clean; fi
