// SPDX-License-Identifier: MIT
/*
 * libodoo Lua binding - lo_lua.c: JSON values to and from Lua values, and
 * libodoo errors raised as tables.
 *
 *   JSON      Lua
 *   object    table with string keys (an empty one carries libodoo.object's metatable)
 *   array     sequence 1..n
 *   string    string
 *   integer   integer
 *   real      float
 *   boolean   boolean
 *   null      libodoo.null
 *
 * A table becomes an array when its keys are exactly 1..n (an empty table is
 * an empty array), an object otherwise; libodoo.object(t) and libodoo.array(t)
 * force either. Integer keys of an object become their decimal text.
 */
#include "lo_lua.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lo_glue.h"

#define LO_LUA_MAX_DEPTH 512

/* Registry keys: the addresses of these objects. */
static const char lo_key_object_mt = 0;
static const char lo_key_array_mt = 0;
static const char lo_key_error_mt = 0;
static const char lo_key_box_mt = 0;
static const char lo_key_aws = 0;
/* libodoo.null is a light userdata pointing here. */
static const char lo_null = 0;

struct lo_lua_box {
    json_t *json;
};

static int lo_lua_is_null(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == &lo_null;
}

static void lo_lua_push_null(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)(uintptr_t)&lo_null);
}

/* Whether the table at idx has the metatable registered under key. */
static int lo_lua_has_mt(lua_State *L, int idx, const char *key)
{
    int same;

    if (!lua_getmetatable(L, idx))
        return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, key);
    same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same;
}

/* ==== Lua -> JSON ==================================================================== */

typedef struct lo_conv {
    char err[256]; /* set on failure */
} lo_conv;

static json_t *lo_lua_to_json(lua_State *L, int idx, int depth, lo_conv *cv);

static json_t *lo_conv_fail(lo_conv *cv, json_t *partial, const char *msg)
{
    json_decref(partial);
    if (!cv->err[0])
        snprintf(cv->err, sizeof(cv->err), "%s", msg);
    return NULL;
}

/* The key just under the value at the top of the stack, as object key text
 * (without converting the key in place, which would confuse lua_next).
 * Returns 0 when it cannot be one. */
static int lo_lua_key(lua_State *L, char *buf, size_t bufsz, const char **key, lo_conv *cv)
{
    size_t len;

    switch (lua_type(L, -2)) {
    case LUA_TSTRING:
        *key = lua_tolstring(L, -2, &len);
        if (strlen(*key) != len) {
            snprintf(cv->err, sizeof(cv->err), "a table key contains a NUL byte");
            return 0;
        }
        return 1;
    case LUA_TNUMBER:
        if (lua_isinteger(L, -2))
            snprintf(buf, bufsz, "%lld", (long long)lua_tointeger(L, -2));
        else {
            /* the shortest text that reads back as the same number ("0.1") */
            json_t *r = json_real((double)lua_tonumber(L, -2));
            char *text = r ? odoo_json_dumps(r, 0) : NULL;
            json_decref(r);
            if (!text) {
                snprintf(cv->err, sizeof(cv->err), "a table key is not a finite number");
                return 0;
            }
            snprintf(buf, bufsz, "%s", text);
            odoo_free(text);
        }
        *key = buf;
        return 1;
    default:
        snprintf(cv->err, sizeof(cv->err), "a table key is a %s (object keys are strings)",
                 luaL_typename(L, -2));
        return 0;
    }
}

static json_t *lo_lua_table_to_json(lua_State *L, int idx, int depth, lo_conv *cv)
{
    int force_object = lo_lua_has_mt(L, idx, &lo_key_object_mt);
    int force_array = !force_object && lo_lua_has_mt(L, idx, &lo_key_array_mt);
    lua_Integer count = 0, maxk = 0;
    int sequence = 1;
    json_t *out;

    if (!lua_checkstack(L, 4))
        return lo_conv_fail(cv, NULL, "Lua stack overflow");
    /* Is it a sequence 1..n? */
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TNUMBER && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
            if (lua_tointeger(L, -1) > maxk)
                maxk = lua_tointeger(L, -1);
        } else {
            sequence = 0;
        }
        count++;
    }
    sequence = sequence && maxk == count;
    if (force_array && !sequence)
        return lo_conv_fail(cv, NULL, "a table marked libodoo.array has keys other than 1..n");

    if (sequence && !force_object) {
        lua_Integer i;

        out = json_array();
        if (!out)
            return lo_conv_fail(cv, NULL, "out of memory");
        for (i = 1; i <= count; i++) {
            json_t *v;

            lua_rawgeti(L, idx, i);
            v = lo_lua_to_json(L, lua_gettop(L), depth + 1, cv);
            lua_pop(L, 1);
            if (!v)
                return lo_conv_fail(cv, out, "");
            if (json_array_append_new(out, v) != 0)
                return lo_conv_fail(cv, out, "out of memory");
        }
        return out;
    }

    out = json_object();
    if (!out)
        return lo_conv_fail(cv, NULL, "out of memory");
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        char buf[64];
        const char *key = NULL;
        json_t *v;

        if (!lo_lua_key(L, buf, sizeof(buf), &key, cv)) {
            lua_pop(L, 2);
            return lo_conv_fail(cv, out, "");
        }
        v = lo_lua_to_json(L, lua_gettop(L), depth + 1, cv);
        if (!v) {
            lua_pop(L, 2);
            return lo_conv_fail(cv, out, "");
        }
        if (json_object_set_new(out, key, v) != 0) {
            lua_pop(L, 2);
            return lo_conv_fail(cv, out, "a table key is not valid UTF-8");
        }
        lua_pop(L, 1);
    }
    return out;
}

static json_t *lo_lua_to_json(lua_State *L, int idx, int depth, lo_conv *cv)
{
    json_t *j;

    if (depth > LO_LUA_MAX_DEPTH)
        return lo_conv_fail(cv, NULL, "tables nested too deeply for JSON (a cycle?)");
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return json_null();
    case LUA_TBOOLEAN:
        return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            j = json_integer((json_int_t)lua_tointeger(L, idx));
        else {
            double d = (double)lua_tonumber(L, idx);

            if (!isfinite(d))
                return lo_conv_fail(cv, NULL, "JSON has no NaN or infinity");
            j = json_real(d);
        }
        return j ? j : lo_conv_fail(cv, NULL, "out of memory");
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);

        j = json_stringn(s, len);
        return j ? j : lo_conv_fail(cv, NULL, "a string is not valid UTF-8");
    }
    case LUA_TTABLE:
        return lo_lua_table_to_json(L, idx, depth, cv);
    case LUA_TLIGHTUSERDATA:
        if (lo_lua_is_null(L, idx))
            return json_null();
        /* fall through */
    default:
        snprintf(cv->err, sizeof(cv->err), "cannot convert a %s to JSON",
                 luaL_typename(L, idx));
        return NULL;
    }
}

static int lo_lua_box_gc(lua_State *L)
{
    lo_lua_box_release(lua_touserdata(L, 1));
    return 0;
}

json_t *lo_lua_arg(lua_State *L, int idx, lo_lua_box **boxp)
{
    lo_lua_box *box;
    lo_conv cv;
    json_t *j;

    *boxp = NULL;
    idx = lua_absindex(L, idx);
    if (lua_isnoneornil(L, idx))
        return NULL;
    /* The box first: nothing can be lost once the value exists. */
    box = lua_newuserdatauv(L, sizeof(*box), 0);
    box->json = NULL;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &lo_key_box_mt);
    lua_setmetatable(L, -2);
    cv.err[0] = '\0';
    j = lo_lua_to_json(L, idx, 0, &cv);
    if (!j) {
        lo_error_set(ODOO_EINVAL, "bad argument #%d: %s", idx, cv.err);
        lo_lua_push_pending(L);
        lua_error(L);
        return NULL; /* not reached */
    }
    box->json = j;
    lua_replace(L, idx);
    *boxp = box;
    return j;
}

void lo_lua_box_release(lo_lua_box *box)
{
    if (box && box->json) {
        json_decref(box->json);
        box->json = NULL;
    }
}

/* ==== JSON -> Lua ==================================================================== */

static void lo_lua_push_depth(lua_State *L, const json_t *j, int depth)
{
    luaL_checkstack(L, 3, "JSON value nested too deeply");
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *v;

        lua_createtable(L, 0, (int)json_object_size(j));
        json_object_foreach((json_t *)(uintptr_t)j, key, v) {
            lua_pushstring(L, key);
            lo_lua_push_depth(L, v, depth + 1);
            lua_rawset(L, -3);
        }
        if (json_object_size(j) == 0) {
            lua_rawgetp(L, LUA_REGISTRYINDEX, &lo_key_object_mt);
            lua_setmetatable(L, -2);
        }
        break;
    }
    case JSON_ARRAY: {
        size_t i, n = json_array_size(j);

        lua_createtable(L, (int)n, 0);
        for (i = 0; i < n; i++) {
            lo_lua_push_depth(L, json_array_get(j, i), depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    }
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        lua_pushinteger(L, (lua_Integer)json_integer_value(j));
        break;
    case JSON_REAL:
        lua_pushnumber(L, (lua_Number)json_real_value(j));
        break;
    case JSON_TRUE:
        lua_pushboolean(L, 1);
        break;
    case JSON_FALSE:
        lua_pushboolean(L, 0);
        break;
    case JSON_NULL:
    default:
        lo_lua_push_null(L);
        break;
    }
}

void lo_lua_push(lua_State *L, const json_t *json)
{
    if (!json)
        lua_pushnil(L);
    else
        lo_lua_push_depth(L, json, 0);
}

/* ==== errors ========================================================================= */

static void lo_lua_field_str(lua_State *L, const char *k, const char *v)
{
    lua_pushstring(L, v ? v : "");
    lua_setfield(L, -2, k);
}

static void lo_lua_field_int(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

void lo_lua_push_pending(lua_State *L)
{
    lo_error e;

    lo_error_take(&e);
    if (e.code == ODOO_OK) {
        e.code = ODOO_ERROR;
        e.message = NULL;
    }
    lua_createtable(L, 0, 11);
    lo_lua_field_int(L, "code", e.code);
    lo_lua_field_str(L, "name", odoo_error_name(e.code));
    lo_lua_field_str(L, "kind", lo_error_kind(e.code));
    lo_lua_field_str(L, "message", e.message ? e.message : odoo_strerror(e.code));
    lo_lua_field_str(L, "odoo_class", e.odoo_class);
    lo_lua_field_int(L, "http_status", e.http_status);
    lo_lua_field_int(L, "rpc_code", e.rpc_code);
    lua_pushboolean(L, e.retryable);
    lua_setfield(L, -2, "retryable");
    lo_lua_field_str(L, "debug", e.debug);
    if (e.created_ids) {
        lo_lua_push(L, e.created_ids);
        lua_setfield(L, -2, "created_ids");
    }
    lo_error_dispose(&e);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &lo_key_error_mt);
    lua_setmetatable(L, -2);
}

static int lo_lua_error_tostring(lua_State *L)
{
    const char *cls;

    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "kind");
    lua_getfield(L, 1, "message");
    lua_getfield(L, 1, "odoo_class");
    cls = lua_tostring(L, -1);
    if (cls && *cls)
        lua_pushfstring(L, "libodoo.%s: %s [%s]", lua_tostring(L, -3), lua_tostring(L, -2), cls);
    else
        lua_pushfstring(L, "libodoo.%s: %s", lua_tostring(L, -3), lua_tostring(L, -2));
    return 1;
}

/* ==== module functions =============================================================== */

static int lo_lua_mark(lua_State *L, const char *key)
{
    if (lua_isnoneornil(L, 1))
        lua_newtable(L);
    else
        luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, key);
    lua_setmetatable(L, 1);
    return 1;
}

/* libodoo.object([t]): mark t (or a new table) to be sent as a JSON object. */
static int lo_lua_object(lua_State *L)
{
    return lo_lua_mark(L, &lo_key_object_mt);
}

/* libodoo.array([t]): mark t (or a new table) to be sent as a JSON array. */
static int lo_lua_array(lua_State *L)
{
    return lo_lua_mark(L, &lo_key_array_mt);
}

/* libodoo.is_null(v) */
static int lo_lua_isnull(lua_State *L)
{
    lua_pushboolean(L, lo_lua_is_null(L, 1));
    return 1;
}

/* libodoo.encode(v): the JSON text of a Lua value (compact, keys sorted). */
static int lo_lua_encode(lua_State *L)
{
    lo_conv cv;
    json_t *j;
    char *text;

    cv.err[0] = '\0';
    luaL_checkany(L, 1);
    j = lo_lua_to_json(L, 1, 0, &cv);
    if (!j) {
        lo_error_set(ODOO_EINVAL, "encode: %s", cv.err);
        lo_lua_push_pending(L);
        return lua_error(L);
    }
    text = odoo_json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS); /* shortest reals */
    json_decref(j);
    if (!text)
        return luaL_error(L, "encode: out of memory");
    lua_pushstring(L, text);
    odoo_free(text);
    return 1;
}

/* libodoo.decode(text): the Lua value of a JSON text. */
static int lo_lua_decode(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    json_error_t jerr;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY, &jerr);

    if (!j) {
        lo_error_set(ODOO_EINVAL, "decode: %s at line %d, column %d", jerr.text, jerr.line,
                     jerr.column);
        lo_lua_push_pending(L);
        return lua_error(L);
    }
    /* A Lua error while pushing (out of memory) would lose j: push into a box. */
    {
        lo_lua_box *box = lua_newuserdatauv(L, sizeof(*box), 0);

        box->json = j;
        lua_rawgetp(L, LUA_REGISTRYINDEX, &lo_key_box_mt);
        lua_setmetatable(L, -2);
        lo_lua_push(L, j);
        lo_lua_box_release(box);
    }
    return 1;
}

static void lo_lua_new_mt(lua_State *L, const char *key, const char *name)
{
    lua_newtable(L);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__name");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

void lo_lua_init(lua_State *L, int module)
{
    static const luaL_Reg fns[] = {
        {"object", lo_lua_object},
        {"array", lo_lua_array},
        {"is_null", lo_lua_isnull},
        {"encode", lo_lua_encode},
        {"decode", lo_lua_decode},
        {NULL, NULL},
    };
    const luaL_Reg *f;

    module = lua_absindex(L, module);
    lo_lua_new_mt(L, &lo_key_object_mt, "libodoo.object");
    lua_pop(L, 1);
    lo_lua_new_mt(L, &lo_key_array_mt, "libodoo.array");
    lua_pop(L, 1);
    lo_lua_new_mt(L, &lo_key_box_mt, "libodoo.box");
    lua_pushcfunction(L, lo_lua_box_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    /* libodoo.Error: the metatable of every error table. */
    lo_lua_new_mt(L, &lo_key_error_mt, "libodoo.Error");
    lua_pushcfunction(L, lo_lua_error_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_setfield(L, module, "Error");

    lo_lua_push_null(L);
    lua_setfield(L, module, "null");
    for (f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, module, f->name);
    }
}

/* ---- libodoo.aws ----------------------------------------------------------------- */

/* Whether a name of the SWIG module belongs to libodoo-aws. */
static int lo_lua_is_aws_name(const char *name)
{
    return strcmp(name, "DynamoDB") == 0 || strcmp(name, "dynamodb_sink") == 0 ||
           strncmp(name, "AWS_", 4) == 0 || strncmp(name, "DYNAMODB_", 9) == 0;
}

/*
 * __index of the module table: a deprecated AWS name (upvalue 1 holds them)
 * answers with its value and a warning (lua_warning(): silent unless turned
 * on, "@on" / lua5.4 -W); any other name goes to SWIG's __index (upvalue 2).
 */
static int lo_lua_module_index(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) {
            const char *name = lua_tostring(L, 2);

            lua_warning(L, "libodoo.", 1);
            lua_warning(L, name, 1);
            lua_warning(L, " is deprecated: use require(\"libodoo.aws\").", 1);
            lua_warning(L, name, 0);
            return 1;
        }
        lua_pop(L, 1);
    }
    if (lua_isnil(L, lua_upvalueindex(2)))
        return 0;
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 1);
    return 1;
}

void lo_lua_split_aws(lua_State *L, int module)
{
    int aws;

    module = lua_absindex(L, module);
    /* the AWS names, moved out of the module table */
    lua_newtable(L);
    aws = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, module)) {
        if (lua_type(L, -2) == LUA_TSTRING && lo_lua_is_aws_name(lua_tostring(L, -2))) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, aws);
        } else {
            lua_pop(L, 1);
        }
    }
    lua_pushnil(L);
    while (lua_next(L, aws)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, module);
    }
    lua_pushvalue(L, aws);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &lo_key_aws);
    /* they stay reachable from libodoo, deprecated, through __index */
    if (!lua_getmetatable(L, module)) {
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setmetatable(L, module);
    }
    lua_pushvalue(L, aws);
    lua_getfield(L, -2, "__index");         /* aws, metatable, aws, SWIG's __index */
    lua_pushcclosure(L, lo_lua_module_index, 2);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 2);
}

int luaopen_libodoo_aws(lua_State *L)
{
    luaL_requiref(L, "libodoo", luaopen_libodoo, 0);
    lua_pop(L, 1);
    lua_newtable(L);
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &lo_key_aws) == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -5);
        }
    }
    lua_pop(L, 1);
    return 1;
}
