# Pynomaly — run `make` for the list of targets.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BIN      := bin
NAB      ?= ../shared/datasets/nab

.DEFAULT_GOAL := help

## help: list the targets
.PHONY: help
help:
	@echo "Pynomaly make targets:"
	@sed -n 's/^## //p' $(MAKEFILE_LIST) | column -t -s ':' | sed 's/^/  /'

## build: build bin/pynomaly and bin/pynomaly-agent
.PHONY: build
build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/pynomaly ./cmd/pynomaly-agent

## demo: run a control plane and an agent on a bundled series, printing alerts (Ctrl-C stops)
.PHONY: demo
demo: build
	./scripts/demo.sh

## test: run the unit and end-to-end tests with the race detector
.PHONY: test
test:
	$(GO) test -race -count=1 ./...

## test-short: the tests without the slower end-to-end ones
.PHONY: test-short
test-short:
	$(GO) test -short -count=1 ./...

## bench: run the benchmarks (figures go in docs/benchmarks.md)
.PHONY: bench
bench:
	$(GO) test -run=NONE -bench=. -benchmem -count=6 ./... | tee bench.txt

## fuzz: run each fuzz target for FUZZTIME (default 30s)
FUZZTIME ?= 30s
.PHONY: fuzz
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list='^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run=NONE -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## lint: go vet and a gofmt check
.PHONY: lint
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## fmt: format the code
.PHONY: fmt
fmt:
	gofmt -w $$(git ls-files '*.go')

## tidy: tidy go.mod and go.sum
.PHONY: tidy
tidy:
	$(GO) mod tidy

## clean: remove build output and demo data
.PHONY: clean
clean:
	rm -rf $(BIN) .demo bench.txt
