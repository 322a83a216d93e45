// SPDX-License-Identifier: MIT
/*
 * libodoo Lua binding - lo_lua.h: JSON values to and from Lua values, and
 * errors raised as tables (see lo_lua.c).
 */
#ifndef LO_LUA_H
#define LO_LUA_H

#include <lua.h>
#include <lauxlib.h>

#include <jansson.h>

/** The holder of a converted argument (a userdata on the Lua stack). */
typedef struct lo_lua_box lo_lua_box;

/**
 * Add null, object(), array(), is_null(), Error and the error kinds to the
 * module table at @p module, and create the registry entries.
 */
void lo_lua_init(lua_State *L, int module);

/**
 * Convert the argument at @p idx. nil (or none) gives NULL. Otherwise the
 * JSON value is owned by a box userdata that replaces the argument on the
 * stack, so that it is released even when an error unwinds the call;
 * lo_lua_box_release() releases it at once on the normal path. A value that
 * cannot be converted raises an InvalidArgument error table (never returns).
 */
json_t *lo_lua_arg(lua_State *L, int idx, lo_lua_box **box);

/** Release the JSON value of a box now (NULL accepted). */
void lo_lua_box_release(lo_lua_box *box);

/** Push a JSON value (borrowed); NULL pushes nil. */
void lo_lua_push(lua_State *L, const json_t *json);

/** Push the calling thread's pending libodoo error as an error table (and clear it). */
void lo_lua_push_pending(lua_State *L);

/**
 * Move the AWS names (DynamoDB, dynamodb_sink, AWS_*, DYNAMODB_*) out of the
 * module table at @p module into the table that require "libodoo.aws" copies.
 * The module table still answers them through __index, as deprecated aliases
 * (with a lua_warning()).
 */
void lo_lua_split_aws(lua_State *L, int module);

#if defined(__GNUC__) || defined(__clang__)
#define LO_LUA_EXPORT __attribute__((visibility("default")))
#else
#define LO_LUA_EXPORT
#endif

/** require "libodoo" (SWIG-generated). */
LO_LUA_EXPORT int luaopen_libodoo(lua_State *L);

/**
 * require "libodoo.aws": a table of the AWS names (a new one, from the same
 * libodoo.so: Lua's all-in-one loader finds it there). Loads libodoo first.
 */
LO_LUA_EXPORT int luaopen_libodoo_aws(lua_State *L);

#endif /* LO_LUA_H */
