# SPDX-License-Identifier: MIT
#
# qaccel top-level build. `make` builds the library, the tools and the kernel
# module; `make run` runs the demo; `make check` runs every test; `make help`
# lists the rest. Build outputs go to build/; options come from Kconfig
# (`make menuconfig`), and a plain `make` uses the architecture's defconfig.

QACCEL_VERSION := 0.1.0

ARCH ?= $(shell uname -m)
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
BUILD := $(CURDIR)/build
KCONFIG_CONFIG ?= $(CURDIR)/.config
QACCEL_CACHE ?= $(HOME)/.cache/qaccel
PREFIX ?= /usr/local
DESTDIR ?=

export BUILD QACCEL_CACHE QACCEL_VERSION

ifneq ($(filter aarch64 arm64,$(ARCH)),)
DEFCONFIG ?= configs/arm64_defconfig
else
DEFCONFIG ?= configs/x86_64_defconfig
endif

KCONFIG_ENV := ARCH=$(ARCH) QACCEL_VERSION=$(QACCEL_VERSION) \
	KCONFIG_CONFIG=$(KCONFIG_CONFIG)

# The configuration is read when it exists; the public goals below first make
# sure it does (after installing what generating it needs) and then run their
# _internal counterpart in a sub-make that sees it.
ifneq ($(wildcard $(BUILD)/config.mk),)
include $(BUILD)/config.mk
endif

unquote = $(subst ",,$(1))
TEST_SERIES := $(call unquote,$(CONFIG_QACCEL_TEST_SERIES))

.PHONY: all lib tools module run check bench install clean distclean config \
	defconfig menuconfig savedefconfig deps deps-all help \
	_all _lib _tools _module _run _check _bench _install

all lib tools module install: config
	@$(MAKE) -s _$@

config: $(BUILD)/config.mk

_all: _lib _tools _module

# --- configuration -----------------------------------------------------------

$(KCONFIG_CONFIG):
	@echo "  CONFIG  no $(notdir $@) yet: using $(DEFCONFIG)"
	@$(KCONFIG_ENV) $(PYTHON) -m defconfig --kconfig Kconfig $(DEFCONFIG) >/dev/null

$(BUILD)/config.mk: $(KCONFIG_CONFIG) Kconfig
	@mkdir -p $(BUILD)/include
	@$(KCONFIG_ENV) $(PYTHON) -m olddefconfig Kconfig >/dev/null
	@$(KCONFIG_ENV) $(PYTHON) -m genconfig --config-out $@ \
		--header-path $(BUILD)/include/qaccel_config.h Kconfig

defconfig:
	@$(KCONFIG_ENV) $(PYTHON) -m defconfig --kconfig Kconfig $(DEFCONFIG)

menuconfig:
	@$(KCONFIG_ENV) $(PYTHON) -m menuconfig Kconfig

savedefconfig:
	@$(KCONFIG_ENV) $(PYTHON) -m savedefconfig --kconfig Kconfig --out defconfig
	@echo "wrote ./defconfig"

# --- dependencies ------------------------------------------------------------

# Packages to build and run the demo.
deps:
	@scripts/deps.sh --build

# Everything `make check` needs, including the kernel test matrix.
deps-all:
	@scripts/deps.sh --all

# --- build -------------------------------------------------------------------

_lib:
	@$(MAKE) -s -C libqaccel BUILD=$(BUILD)

_tools: _lib
	@$(MAKE) -s -C tools BUILD=$(BUILD)

# The module is built against QACCEL_KDIR, the running kernel's headers, or
# the cached Debian 6.1 headers, whichever is found first.
HOST_KDIR := /lib/modules/$(shell uname -r)/build
MODULE_KDIR := $(or $(call unquote,$(CONFIG_QACCEL_KDIR)),\
	$(wildcard $(HOST_KDIR)/Makefile),$(wildcard $(QACCEL_CACHE)/kernels/6.1/headers/Makefile))

_module:
ifeq ($(CONFIG_QACCEL_BUILD_MODULE),y)
ifneq ($(MODULE_KDIR),)
	@KDIR=$(patsubst %/Makefile,%,$(MODULE_KDIR)) scripts/build-kmod.sh host
else
	@echo "  MODULE  skipped: no kernel headers for $(shell uname -r) and no cached" \
		"test kernel (scripts/deps.sh --all fetches them)"
endif
endif

# --- the two commands of the quick start ----------------------------------

run: deps
	@$(MAKE) -s config
	@$(MAKE) -s _run

_run: _all
	@scripts/run.sh

check: deps-all
	@$(MAKE) -s config
	@$(MAKE) -s _check

_check: _all
	@QACCEL_TEST_SERIES="$(TEST_SERIES)" \
		QACCEL_TEST_VM=$(or $(CONFIG_QACCEL_TEST_VM),n) \
		QACCEL_TEST_SANITIZERS=$(or $(CONFIG_QACCEL_TEST_SANITIZERS),n) \
		scripts/check.sh

bench: deps
	@$(MAKE) -s config
	@$(MAKE) -s _bench

_bench: _lib _tools
	@scripts/bench.sh

# --- install -------------------------------------------------------------

_install: _lib _tools
	@$(MAKE) -s -C libqaccel BUILD=$(BUILD) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	@$(MAKE) -s -C tools BUILD=$(BUILD) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -f $(KCONFIG_CONFIG) $(KCONFIG_CONFIG).old

help:
	@echo "Targets:"
	@echo "  all (default)  library, tools and kernel module"
	@echo "  run            the demo on the default backend (installs missing packages)"
	@echo "  check          every test: unit, sanitizers, lint, kselftests in QEMU on"
	@echo "                 each kernel of the matrix; ends with 'N passed, N failed'"
	@echo "  bench          the standard benchmark set (qaccel-bench)"
	@echo "  install        PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"
	@echo "  defconfig      write .config from $(DEFCONFIG)"
	@echo "  menuconfig     edit .config"
	@echo "  deps, deps-all install packages / also fetch the kernel test matrix"
	@echo "  clean          remove build/; distclean also removes .config"
