# buildscope — two set-up commands on a fresh Debian machine:
#   make demo   installs what is missing, builds, serves the offline base
#               image and builds the multi-stage example on the embedded builder
#   make test   the tests, end-to-end ones included (starts a Docker engine
#               when none answers, so both builder paths are tested)
SHELL      := /bin/bash
GO         ?= go
BASE_ADDR  ?= 127.0.0.1:5015
PKGS       := runc busybox-static docker.io tmux openssh-client
export PATH := $(PATH):/usr/sbin:/sbin

.PHONY: all build buildx static deps base engine demo demo-bake test lint bench clean

all: build

## deps: install the Debian packages buildscope and its tests need
deps:
	@missing=""; \
	command -v runc >/dev/null || missing="$$missing runc"; \
	[ -x /bin/busybox ] && /bin/busybox --list-full >/dev/null 2>&1 || missing="$$missing busybox-static"; \
	command -v dockerd >/dev/null || missing="$$missing docker.io"; \
	command -v tmux >/dev/null || missing="$$missing tmux"; \
	command -v ssh-agent >/dev/null || missing="$$missing openssh-client"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || \
	      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; }; \
	  else echo "missing:$$missing — run: sudo apt-get install$$missing"; exit 1; fi; \
	fi

## build: buildscope, its bake-file reader, the embedded builder's buildkitd
## (from the module), mkbase
## buildscope and its bake reader are static (no cgo): a command starts
## ~5 ms sooner without the dynamic loader and libc (its DNS and user
## lookups are Go's own)
build:
	CGO_ENABLED=0 $(GO) build -o bin/buildscope ./cmd/buildscope
	CGO_ENABLED=0 $(GO) build -o bin/buildscope-bake ./cmd/buildscope-bake
	$(GO) build -o bin/mkbase ./cmd/mkbase
	$(GO) build -ldflags "$(BUILDKIT_LDFLAGS)" -o bin/buildkitd github.com/moby/buildkit/cmd/buildkitd

## buildkitd says the module's version (builder status, version), not
## BuildKit's default v0.0.0+unknown of a build without -X
BUILDKIT_VERSION = $(shell $(GO) list -m -f '{{.Version}}' github.com/moby/buildkit)
BUILDKIT_LDFLAGS = -X github.com/moby/buildkit/version.Version=$(BUILDKIT_VERSION)

## buildx: docker-buildx at go.mod's version, from the module proxy, into
## bin/ — built once (minutes on a cold build cache), the bake tests' oracle
BUILDX_VERSION = $(shell $(GO) list -m -f '{{.Version}}' github.com/docker/buildx)
buildx:
	@v=$(BUILDX_VERSION); \
	if ! bin/docker-buildx version 2>/dev/null | grep -q " $$v"; then \
	  echo "building docker-buildx $$v from the module proxy"; \
	  gobin=$$(mktemp -d) && \
	  GOBIN=$$gobin $(GO) install -ldflags "-X github.com/docker/buildx/version.Version=$$v" \
	    "github.com/docker/buildx/cmd/buildx@$$v" && \
	  mkdir -p bin && mv "$$gobin/buildx" bin/docker-buildx && rmdir "$$gobin"; \
	fi

## static: buildkitd and buildctl built static from the module, for the
## image the docker-container:// test runs (rebuilt when go.mod changes)
static: bin/static/buildkitd
bin/static/buildkitd: go.mod go.sum
	mkdir -p bin/static
	CGO_ENABLED=0 $(GO) build -ldflags "$(BUILDKIT_LDFLAGS)" -o bin/static/buildkitd github.com/moby/buildkit/cmd/buildkitd
	CGO_ENABLED=0 $(GO) build -o bin/static/buildctl github.com/moby/buildkit/cmd/buildctl

## base: serve the offline base image (busybox-static) on a loopback registry
base: build
	bin/mkbase serve --detach --addr $(BASE_ADDR)

## engine: start a Docker engine when none answers (as root)
engine: deps
	@if ! docker info >/dev/null 2>&1; then \
	  echo "starting dockerd (log: /tmp/buildscope-dockerd.log)"; \
	  setsid nohup dockerd >/tmp/buildscope-dockerd.log 2>&1 < /dev/null & \
	  for i in $$(seq 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done; \
	  docker info >/dev/null 2>&1 || { tail -20 /tmp/buildscope-dockerd.log; exit 1; }; \
	fi

# demo: on a terminal the live build UI (q quits once it is done), else plain
# progress; then where the build's time went
demo: deps build base
	bin/buildscope build --builder embedded assets/examples/multistage
	bin/buildscope trace

# demo-bake: the bake example's two targets at once, their base stage once
demo-bake: deps build base
	cd assets/examples/bake && ../../../bin/buildscope bake --builder embedded -f docker-bake.hcl

# test: the end-to-end package alone first (its own scheduler starts 6
# tests at once, the slowest first: -parallel only lets them all wait
# there), then the other packages; both run even when one fails
TEST_ENV = BUILDSCOPE_REQUIRE_DOCKER=1 BUILDSCOPE_BIN=$(CURDIR)/bin/buildscope BUILDSCOPE_BUILDKITD=$(CURDIR)/bin/buildkitd \
  BUILDSCOPE_BUILDX=$(CURDIR)/bin/docker-buildx BUILDSCOPE_STATIC_BUILDKIT=$(CURDIR)/bin/static BUILDSCOPE_E2E_SLOTS=6
test: deps build buildx static engine base lint
	@e2e=0; $(TEST_ENV) $(GO) test -count=1 -parallel 256 -timeout 25m ./cmd/buildscope/ || e2e=1; \
	$(TEST_ENV) $(GO) test -count=1 -timeout 10m $$($(GO) list ./... | grep -v '/cmd/buildscope$$') && exit $$e2e

lint:
	@out=$$(gofmt -l cmd model buildrun inspect tui assets); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

bench: build base
	bench/build-overhead.sh

clean:
	rm -rf bin
