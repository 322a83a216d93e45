# SPDX-License-Identifier: MIT
# bindings/lua/rock.mk: the Lua 5.4 module libodoo.so ("libodoo" and "libodoo.aws")
# against the libodoo that is INSTALLED, found with pkg-config; SWIG runs here.
# luarocks uses it (libodoo-0.4.0-1.rockspec, build type "make"):
#
#   cd bindings/lua
#   PKG_CONFIG_PATH=<prefix>/lib/pkgconfig luarocks --lua-version 5.4 make --tree /tmp/x
#
# or alone: make -f rock.mk && make -f rock.mk install LIBDIR=/usr/local/lib/lua/5.4
#
# Variables: CC, CFLAGS, LIBFLAG, LUA_INCDIR (luarocks passes them), LIBDIR (where
# install puts libodoo.so), PKG_CONFIG, SWIG, BUILD (the work directory, default
# build-rock), LIBODOO_RPATH: auto (default: an RPATH to libodoo's libdir when it
# is not a system directory, so that require finds libodoo.so.N without
# LD_LIBRARY_PATH), always or never.

PKG_CONFIG ?= pkg-config
SWIG ?= $(firstword $(shell command -v swig4.0 swig 2>/dev/null) swig)
CC ?= cc
CFLAGS ?= -O2 -fPIC
LIBFLAG ?= -shared
LUA_INCDIR ?= /usr/include/lua5.4
BUILD ?= build-rock
LIBDIR ?= /usr/local/lib/lua/5.4
LIBODOO_RPATH ?= auto
HERE := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
# the version of libodoo this binding needs: the rockspec's (libodoo-0.4.0-1.rockspec -> 0.4.0)
LIBODOO_VERSION := $(firstword $(subst -, ,$(patsubst $(HERE)/libodoo-%.rockspec,%,$(firstword $(wildcard $(HERE)/libodoo-*.rockspec)))))
ifeq ($(LIBODOO_VERSION),)
$(error no libodoo-VERSION-N.rockspec next to rock.mk)
endif
SHARED := $(abspath $(HERE)/..)
PC_PACKAGES = libodoo libodoo-aws

ifneq ($(shell $(PKG_CONFIG) --exists 'libodoo >= $(LIBODOO_VERSION)' 'libodoo-aws >= $(LIBODOO_VERSION)' && echo yes),yes)
$(error libodoo >= $(LIBODOO_VERSION) and libodoo-aws not found by $(PKG_CONFIG): install libodoo and its development files (headers, libodoo.pc, libodoo-aws.pc) first; for a prefix of your own, set PKG_CONFIG_PATH=<prefix>/lib/pkgconfig)
endif

ODOO_INCLUDEDIR := $(abspath $(shell $(PKG_CONFIG) --variable=includedir libodoo))
ODOO_LIBDIR := $(abspath $(shell $(PKG_CONFIG) --variable=libdir libodoo))
ODOO_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PC_PACKAGES))
ODOO_LIBS := $(shell $(PKG_CONFIG) --libs $(PC_PACKAGES))
# pkg-config leaves out /usr/include; SWIG needs it for odoo/*.h
SWIG_INCLUDES := -I$(ODOO_INCLUDEDIR) $(shell $(PKG_CONFIG) --cflags-only-I $(PC_PACKAGES))

MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
SYSTEM_LIBDIRS := /lib /usr/lib /lib64 /usr/lib64 $(if $(MULTIARCH),/lib/$(MULTIARCH) /usr/lib/$(MULTIARCH))
ifeq ($(LIBODOO_RPATH),always)
RPATH := -Wl,-rpath,$(ODOO_LIBDIR)
else ifeq ($(LIBODOO_RPATH),never)
RPATH :=
else
RPATH := $(if $(filter $(ODOO_LIBDIR),$(SYSTEM_LIBDIRS)),,-Wl,-rpath,$(ODOO_LIBDIR))
endif

MODULE_CFLAGS = $(CFLAGS) -fPIC -std=c11 -fvisibility=hidden -DLO_LANGUAGE_lua -D_POSIX_C_SOURCE=200809L \
    -I$(SHARED)/common -I$(HERE) -I$(LUA_INCDIR) $(ODOO_CFLAGS)
OBJECTS = $(BUILD)/libodoo_wrap.o $(BUILD)/lo_lua.o $(BUILD)/lo_glue.o

all: $(BUILD)/libodoo.so

$(BUILD)/libodoo_wrap.c: $(SHARED)/libodoo.i $(SHARED)/common/lo_glue.h $(HERE)/lo_lua.h
	@mkdir -p $(BUILD)
	$(SWIG) -lua -nomoduleglobal $(SWIG_INCLUDES) -o $@ $<

$(BUILD)/libodoo_wrap.o: $(BUILD)/libodoo_wrap.c
	$(CC) $(MODULE_CFLAGS) -c -o $@ $<

$(BUILD)/lo_lua.o: $(HERE)/lo_lua.c $(HERE)/lo_lua.h $(SHARED)/common/lo_glue.h
	@mkdir -p $(BUILD)
	$(CC) $(MODULE_CFLAGS) -c -o $@ $<

$(BUILD)/lo_glue.o: $(SHARED)/common/lo_glue.c $(SHARED)/common/lo_glue.h
	@mkdir -p $(BUILD)
	$(CC) $(MODULE_CFLAGS) -c -o $@ $<

# Not linked to liblua: the interpreter that loads the module provides Lua.
$(BUILD)/libodoo.so: $(OBJECTS)
	$(CC) $(LIBFLAG) -o $@ $(OBJECTS) $(ODOO_LIBS) -lpthread $(RPATH)

install: $(BUILD)/libodoo.so
	mkdir -p '$(LIBDIR)'
	cp $(BUILD)/libodoo.so '$(LIBDIR)/libodoo.so'

clean:
	rm -rf $(BUILD)

.PHONY: all install clean
