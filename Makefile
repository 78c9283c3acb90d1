# Baobei — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
TEMPL   ?= $(shell command -v templ 2>/dev/null || echo $(HOME)/go/bin/templ)
PKGS    := ./...
FUZZTIME ?= 3s

.PHONY: run build test generate check bench bench-load fuzz

## run: build and serve http://127.0.0.1:8080 with the demo company
run: build
	BAOBEI_DEMO=1 ./bin/baobei serve

build:
	$(GO) build -o bin/baobei ./cmd/baobei

## test: every test against a real Postgres (found or started, see README), with the race detector
test:
	$(GO) test -race -count=1 -parallel 4 -timeout 20m $(PKGS)

## generate: regenerate the templ components (the output is committed)
generate:
	$(TEMPL) generate

## check: what CI checks besides the tests
check:
	$(TEMPL) generate
	@test -z "$$(git status --porcelain -- '*_templ.go')" || { echo "templ generate changed generated files: commit them"; git status --porcelain -- '*_templ.go'; exit 1; }
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)

## bench: the benchmarks recorded in docs/benchmarks.md (slow: seeds a million rows, in each benchmark)
bench: bench-load
	$(GO) test -run '^$$' -bench . -skip 'BenchmarkSweep$$|BenchmarkImport100k$$' -benchtime 2000x -benchmem -timeout 60m ./internal/domain/
	$(GO) test -run '^$$' -bench 'BenchmarkSweep$$' -benchtime 3x -timeout 60m ./internal/domain/
	$(GO) test -run '^$$' -bench 'BenchmarkImport100k$$' -benchtime 1x -timeout 20m ./internal/domain/

## bench-load: HTTP load on the real server beside raw pgbench inserts (cmd/loadbench; LOADFLAGS="-clients 16 -duration 60s")
bench-load: build
	@command -v pgbench >/dev/null 2>&1 || apt-get install -y postgresql-contrib || { apt-get update && apt-get install -y postgresql-contrib; }
	$(GO) run ./cmd/loadbench -baobei bin/baobei $(LOADFLAGS)

## fuzz: run every fuzz target for FUZZTIME each (longer than CI: make fuzz FUZZTIME=2m)
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "$$pkg $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done
