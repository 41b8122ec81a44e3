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
	_all _lib _tools _module _run _check _bench _install \
	install-module dkms-source dkms-install dkms-uninstall _install-module

all lib tools module install install-module: config
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

# Host GEMM and quantization figures, then job submission (ioctl and
# io_uring) on the device backend in the VM on each kernel of the matrix.
_bench: _lib _tools
	@QACCEL_TEST_SERIES="$(TEST_SERIES)" QACCEL_BENCH_VM=$(or $(CONFIG_QACCEL_TEST_VM),n) \
		scripts/bench.sh

# --- install -------------------------------------------------------------

# Library (shared with soname links, static, header, libqaccel.pc), tools
# and the demo model, man pages, and the udev rule that gives the render
# group the qaccel device nodes. udev reads rules from /usr/lib/udev/rules.d
# and /usr/local/lib/udev/rules.d; for another PREFIX set
# UDEVRULESDIR=/etc/udev/rules.d.
MANDIR ?= $(PREFIX)/share/man
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d

_install: _lib _tools
	@$(MAKE) -s -C libqaccel BUILD=$(BUILD) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	@$(MAKE) -s -C tools BUILD=$(BUILD) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	@install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(UDEVRULESDIR)
	@install -m 644 man/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	@install -m 644 man/man3/*.3 $(DESTDIR)$(MANDIR)/man3/
	@install -m 644 man/man7/*.7 $(DESTDIR)$(MANDIR)/man7/
	@install -m 644 udev/70-qaccel.rules $(DESTDIR)$(UDEVRULESDIR)/
	@echo "  INSTALL $(DESTDIR)$(PREFIX): library, header, libqaccel.pc, tools, man pages;" \
		"$(DESTDIR)$(UDEVRULESDIR)/70-qaccel.rules"

# The kernel module, built in build/kmod/host against the kernel of `make
# module`, into $(DESTDIR)/lib/modules/<release>/updates, then depmod. The
# module is not signed; on a machine that enforces module signatures use
# dkms-install (DKMS signs with the machine's MOK key).
_install-module: _module
	@if [ ! -f $(BUILD)/kmod/host/qaccel.ko ]; then \
		echo "install-module: no module was built (no kernel headers; see" \
			"CONFIG_QACCEL_KDIR)" >&2; exit 1; fi
	@$(MAKE) -s -C $(patsubst %/Makefile,%,$(MODULE_KDIR)) M=$(BUILD)/kmod/host \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= \
		modules_install 2>&1 | { grep -v "System.map" || true; }
	@rel=$$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		$(patsubst %/Makefile,%,$(MODULE_KDIR))/include/generated/utsrelease.h) && \
		PATH="$$PATH:/usr/sbin:/sbin" depmod $(if $(DESTDIR),-b $(DESTDIR)) $$rel && \
		echo "  INSTALL $(DESTDIR)/lib/modules/$$rel/updates/qaccel.ko (depmod $$rel)"

# DKMS: the module's sources under /usr/src/qaccel-<version> (with
# driver/dkms.conf), then dkms add, build and install for the running
# kernel. With DESTDIR only the source tree is installed (for packaging).
DKMS_SRC := /usr/src/qaccel-$(QACCEL_VERSION)

dkms-source:
	@install -d $(DESTDIR)$(DKMS_SRC)/conftest $(DESTDIR)$(DKMS_SRC)/uapi/drm
	@install -m 644 driver/Kbuild driver/Makefile driver/*.c driver/*.h $(DESTDIR)$(DKMS_SRC)/
	@install -m 644 driver/conftest/*.c $(DESTDIR)$(DKMS_SRC)/conftest/
	@install -m 755 driver/conftest/conftest.sh $(DESTDIR)$(DKMS_SRC)/conftest/
	@install -m 644 uapi/drm/qaccel_accel.h $(DESTDIR)$(DKMS_SRC)/uapi/drm/
	@sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(QACCEL_VERSION)"/' driver/dkms.conf \
		> $(DESTDIR)$(DKMS_SRC)/dkms.conf
	@echo "  DKMS    sources in $(DESTDIR)$(DKMS_SRC)"

dkms-install: dkms-source
ifeq ($(DESTDIR),)
	@command -v dkms >/dev/null || { echo "dkms-install: dkms is not installed" \
		"(apt-get install dkms)" >&2; exit 1; }
	dkms add qaccel/$(QACCEL_VERSION) || dkms status qaccel/$(QACCEL_VERSION) | grep -q .
	dkms build qaccel/$(QACCEL_VERSION)
	dkms install qaccel/$(QACCEL_VERSION)
endif

dkms-uninstall:
	dkms remove qaccel/$(QACCEL_VERSION) --all
	rm -rf $(DKMS_SRC)

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
	@echo "  bench          the standard benchmark set (qaccel-bench): host GEMM and"
	@echo "                 quantization, job submission in the VM on each kernel"
	@echo "  install        PREFIX=$(PREFIX) DESTDIR=$(DESTDIR): library, header,"
	@echo "                 libqaccel.pc, tools, man pages, udev rule"
	@echo "  install-module the module into DESTDIR/lib/modules/<release>/updates"
	@echo "  dkms-install   the module's sources into /usr/src and dkms add/build/install"
	@echo "  defconfig      write .config from $(DEFCONFIG)"
	@echo "  menuconfig     edit .config"
	@echo "  deps, deps-all install packages / also fetch the kernel test matrix"
	@echo "  clean          remove build/; distclean also removes .config"
