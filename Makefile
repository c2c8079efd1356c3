# The two commands of the quick start, and what they need. `make serve` runs sluice on the example
# policies; `make test` runs every test (installing system packages and test peers when run as root).
.PHONY: all deps build serve test bench clean

NODE_MODULES_STAMP := node_modules/.sluice-installed

all: build

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(NODE_MODULES_STAMP)

build: deps
	npx tsc -p tsconfig.build.json
	@mkdir -p dist/policy-compiler && cp -r policy-compiler/schema dist/policy-compiler/
	@if [ -f bpf/Makefile ]; then $(MAKE) --no-print-directory -C bpf; fi

serve: build
	node dist/cli/main.js serve

test: build
	scripts/test.sh

clean:
	rm -rf dist
	@if [ -f bpf/Makefile ]; then $(MAKE) --no-print-directory -C bpf clean; fi
