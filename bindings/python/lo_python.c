// SPDX-License-Identifier: MIT
/*
 * libodoo Python binding - lo_python.c: JSON values to and from Python
 * objects, and the exception classes mirroring odoo_error_code.
 *
 *   JSON      Python
 *   object    dict (str keys)
 *   array     list (tuples and other iterables are accepted on the way in)
 *   string    str
 *   integer   int (64-bit)
 *   real      float (finite)
 *   boolean   bool
 *   null      None
 */
#include "lo_python.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lo_glue.h"

/* Deeper nesting is refused (a self-containing list would recurse forever). */
#define LO_PY_MAX_DEPTH 512

/* ==== exceptions ==================================================================== */

typedef struct lo_py_class {
    int code;
    const char *name;   /* as lo_error_kind() names it */
    const char *doc;
    PyObject *obj;      /* the class, a new reference held for the module's life */
} lo_py_class;

static lo_py_class lo_py_classes[] = {
    {ODOO_ERROR, "Error", "Base class of every libodoo error.\n\n"
     "Attributes: code (the odoo_error_code, e.g. libodoo.EACCESS), name (\"ODOO_EACCESS\"), "
     "message, odoo_class (Odoo's exception class, \"\" when the failure did not come from "
     "Odoo), http_status (0 when no answer arrived), rpc_code (-1 when absent), retryable, "
     "debug (the server's traceback), created_ids (create_batch: the ids created before the "
     "failure, else None).", NULL},
    {ODOO_EAUTH, "AuthError", "Authentication failed: wrong login, password, API key or "
     "database (odoo.exceptions.AccessDenied).", NULL},
    {ODOO_EACCESS, "AccessError", "Access denied (odoo.exceptions.AccessError).", NULL},
    {ODOO_EVALIDATION, "ValidationError", "Invalid values (odoo.exceptions.ValidationError).",
     NULL},
    {ODOO_EMISSING, "MissingError", "The record does not exist (odoo.exceptions.MissingError).",
     NULL},
    {ODOO_EUSER, "UserError", "A business rule refused (odoo.exceptions.UserError).", NULL},
    {ODOO_ENOTFOUND, "NotFoundError", "Unknown model or method.", NULL},
    {ODOO_ESESSION, "SessionExpired", "The session expired and logging in again did not help "
     "(or auto_reauth is off).", NULL},
    {ODOO_ESERVER, "ServerError", "Any other exception raised by the server (ValueError, "
     "TypeError, ...).", NULL},
    {ODOO_EHTTP, "HTTPError", "An HTTP answer that is not Odoo JSON (an HTML page, a "
     "redirect, a 5xx from a proxy); see http_status.", NULL},
    {ODOO_ETIMEOUT, "TimeoutError", "The connect or whole-call timeout ran out. Also a "
     "builtins.TimeoutError.", NULL},
    {ODOO_ENETWORK, "NetworkError", "DNS, connect, TLS or connection failure. Also a "
     "builtins.ConnectionError.", NULL},
    {ODOO_EPROTOCOL, "ProtocolError", "The answer claimed to be JSON but is malformed.", NULL},
    {ODOO_EINVAL, "InvalidArgument", "An invalid argument (unknown field, bad name, closed "
     "session, ...). Also a builtins.ValueError.", NULL},
    {ODOO_ENOMEM, "OutOfMemory", "Out of memory. Also a builtins.MemoryError.", NULL},
    {ODOO_EINDOUBT, "InDoubt", "A call that changes data failed after its request may have "
     "reached the server: check the data before retrying.", NULL},
    {ODOO_ETOOBIG, "TooBig", "The answer grew past max_response_bytes (default 256 MiB): "
     "the transfer was stopped; not retried.", NULL},
};

#define LO_PY_NCLASSES (sizeof(lo_py_classes) / sizeof(lo_py_classes[0]))

static PyObject *lo_py_mixin(int code)
{
    switch (code) {
    case ODOO_ETIMEOUT: return PyExc_TimeoutError;
    case ODOO_ENETWORK: return PyExc_ConnectionError;
    case ODOO_EINVAL: return PyExc_ValueError;
    case ODOO_ENOMEM: return PyExc_MemoryError;
    default: return NULL;
    }
}

int lo_py_init(PyObject *module)
{
    PyObject *base = NULL;
    size_t i;

    for (i = 0; i < LO_PY_NCLASSES; i++) {
        lo_py_class *c = &lo_py_classes[i];
        PyObject *bases, *dict, *mixin = lo_py_mixin(c->code), *code;
        char qualified[64];

        if (c->obj)
            continue; /* a second import in the same process */
        PyOS_snprintf(qualified, sizeof(qualified), "libodoo.%s", c->name);
        if (!base)
            bases = PyTuple_Pack(1, PyExc_Exception);
        else if (mixin)
            bases = PyTuple_Pack(2, base, mixin);
        else
            bases = PyTuple_Pack(1, base);
        dict = PyDict_New();
        code = PyLong_FromLong(c->code);
        if (!bases || !dict || !code || PyDict_SetItemString(dict, "code", code) < 0) {
            Py_XDECREF(bases);
            Py_XDECREF(dict);
            Py_XDECREF(code);
            return -1;
        }
        c->obj = PyErr_NewExceptionWithDoc(qualified, c->doc, bases, dict);
        Py_DECREF(bases);
        Py_DECREF(dict);
        Py_DECREF(code);
        if (!c->obj)
            return -1;
        if (!base)
            base = c->obj;
    }
    for (i = 0; i < LO_PY_NCLASSES; i++) {
        Py_INCREF(lo_py_classes[i].obj);
        if (PyModule_AddObject(module, lo_py_classes[i].name, lo_py_classes[i].obj) < 0) {
            Py_DECREF(lo_py_classes[i].obj);
            return -1;
        }
    }
    return 0;
}

static PyObject *lo_py_class_for(int code)
{
    size_t i;

    for (i = 1; i < LO_PY_NCLASSES; i++) {
        if (lo_py_classes[i].code == code)
            return lo_py_classes[i].obj;
    }
    return lo_py_classes[0].obj;
}

static int lo_py_set(PyObject *obj, const char *name, PyObject *value)
{
    int rc;

    if (!value)
        return -1;
    rc = PyObject_SetAttrString(obj, name, value);
    Py_DECREF(value);
    return rc;
}

static PyObject *lo_py_text(const char *s)
{
    return PyUnicode_DecodeUTF8(s ? s : "", (Py_ssize_t)strlen(s ? s : ""), "replace");
}

void lo_py_raise_pending(void)
{
    lo_error e;
    PyObject *cls, *msg, *exc;

    lo_error_take(&e);
    if (e.code == ODOO_OK)
        return;
    cls = lo_py_class_for(e.code);
    if (!cls) {
        PyErr_SetString(PyExc_RuntimeError, e.message);
        lo_error_dispose(&e);
        return;
    }
    msg = lo_py_text(e.message);
    exc = msg ? PyObject_CallOneArg(cls, msg) : NULL;
    Py_XDECREF(msg);
    if (exc &&
        (lo_py_set(exc, "code", PyLong_FromLong(e.code)) < 0 ||
         lo_py_set(exc, "name", lo_py_text(odoo_error_name(e.code))) < 0 ||
         lo_py_set(exc, "message", lo_py_text(e.message)) < 0 ||
         lo_py_set(exc, "odoo_class", lo_py_text(e.odoo_class)) < 0 ||
         lo_py_set(exc, "http_status", PyLong_FromLong(e.http_status)) < 0 ||
         lo_py_set(exc, "rpc_code", PyLong_FromLong(e.rpc_code)) < 0 ||
         lo_py_set(exc, "retryable", PyBool_FromLong(e.retryable)) < 0 ||
         lo_py_set(exc, "debug", lo_py_text(e.debug)) < 0 ||
         lo_py_set(exc, "created_ids", lo_py_result(e.created_ids)) < 0)) {
        Py_CLEAR(exc);
    }
    lo_error_dispose(&e);
    if (!exc)
        return; /* the failure to build it is the exception now */
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
}

/* ==== Python -> JSON ================================================================== */

static json_t *lo_py_to_json(PyObject *o, int depth);

static json_t *lo_py_oom(json_t *partial)
{
    json_decref(partial);
    PyErr_NoMemory();
    return NULL;
}

static json_t *lo_py_dict_to_json(PyObject *o, int depth)
{
    json_t *obj = json_object();
    PyObject *items = NULL, *iter = NULL, *item;

    if (!obj)
        return lo_py_oom(NULL);
    /* dict: its own order; other mappings: their items(). */
    items = PyDict_Check(o) ? PyDict_Items(o) : PyMapping_Items(o);
    if (!items)
        goto fail;
    iter = PyObject_GetIter(items);
    if (!iter)
        goto fail;
    while ((item = PyIter_Next(iter)) != NULL) {
        PyObject *k = PyTuple_Check(item) && PyTuple_GET_SIZE(item) == 2 ?
                      PyTuple_GET_ITEM(item, 0) : NULL;
        PyObject *v = k ? PyTuple_GET_ITEM(item, 1) : NULL;
        const char *key;
        Py_ssize_t klen;
        json_t *jv;

        if (!k) {
            Py_DECREF(item);
            PyErr_SetString(PyExc_TypeError, "mapping items() must give (key, value) pairs");
            goto fail;
        }
        if (!PyUnicode_Check(k)) {
            PyErr_Format(PyExc_TypeError, "JSON object keys must be str, not %.100s",
                         Py_TYPE(k)->tp_name);
            Py_DECREF(item);
            goto fail;
        }
        key = PyUnicode_AsUTF8AndSize(k, &klen);
        if (!key) {
            Py_DECREF(item);
            goto fail;
        }
        if ((size_t)klen != strlen(key)) {
            PyErr_SetString(PyExc_ValueError, "JSON object keys must not contain NUL");
            Py_DECREF(item);
            goto fail;
        }
        jv = lo_py_to_json(v, depth + 1);
        Py_DECREF(item);
        if (!jv)
            goto fail;
        if (json_object_set_new_nocheck(obj, key, jv) != 0) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    if (PyErr_Occurred())
        goto fail;
    Py_DECREF(iter);
    Py_DECREF(items);
    return obj;
fail:
    Py_XDECREF(iter);
    Py_XDECREF(items);
    json_decref(obj);
    return NULL;
}

static json_t *lo_py_seq_to_json(PyObject *o, int depth)
{
    json_t *arr = json_array();
    PyObject *iter, *item;

    if (!arr)
        return lo_py_oom(NULL);
    if (PyList_Check(o) || PyTuple_Check(o)) {
        Py_ssize_t i, n = PySequence_Fast_GET_SIZE(o);

        for (i = 0; i < n; i++) {
            json_t *jv = lo_py_to_json(PySequence_Fast_GET_ITEM(o, i), depth + 1);

            if (!jv || json_array_append_new(arr, jv) != 0) {
                if (jv)
                    PyErr_NoMemory();
                json_decref(arr);
                return NULL;
            }
        }
        return arr;
    }
    iter = PyObject_GetIter(o);
    if (!iter) {
        json_decref(arr);
        return NULL;
    }
    while ((item = PyIter_Next(iter)) != NULL) {
        json_t *jv = lo_py_to_json(item, depth + 1);

        Py_DECREF(item);
        if (!jv || json_array_append_new(arr, jv) != 0) {
            if (jv)
                PyErr_NoMemory();
            Py_DECREF(iter);
            json_decref(arr);
            return NULL;
        }
    }
    Py_DECREF(iter);
    if (PyErr_Occurred()) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static json_t *lo_py_to_json(PyObject *o, int depth)
{
    json_t *j;

    if (depth > LO_PY_MAX_DEPTH) {
        PyErr_SetString(PyExc_ValueError, "value nested too deeply for JSON (a cycle?)");
        return NULL;
    }
    if (o == Py_None)
        return json_null();
    if (PyBool_Check(o))
        return json_boolean(o == Py_True);
    if (PyLong_Check(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);

        if (overflow) {
            PyErr_SetString(PyExc_OverflowError, "integer does not fit in 64 bits");
            return NULL;
        }
        if (v == -1 && PyErr_Occurred())
            return NULL;
        j = json_integer((json_int_t)v);
        return j ? j : lo_py_oom(NULL);
    }
    if (PyFloat_Check(o)) {
        double d = PyFloat_AsDouble(o);

        if (!isfinite(d)) {
            PyErr_SetString(PyExc_ValueError, "JSON has no NaN or infinity");
            return NULL;
        }
        j = json_real(d);
        return j ? j : lo_py_oom(NULL);
    }
    if (PyUnicode_Check(o)) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(o, &n);

        if (!s)
            return NULL; /* lone surrogates */
        j = json_stringn_nocheck(s, (size_t)n);
        return j ? j : lo_py_oom(NULL);
    }
    if (PyBytes_Check(o) || PyByteArray_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "bytes cannot be sent as JSON: decode them to str");
        return NULL;
    }
    if (Py_EnterRecursiveCall(" while converting a value to JSON"))
        return NULL;
    if (PyDict_Check(o) || (!PyList_Check(o) && !PyTuple_Check(o) && PyMapping_Check(o) &&
                            PyObject_HasAttrString(o, "items")))
        j = lo_py_dict_to_json(o, depth);
    else if (PyList_Check(o) || PyTuple_Check(o) || PyObject_HasAttrString(o, "__iter__"))
        j = lo_py_seq_to_json(o, depth);
    else {
        PyErr_Format(PyExc_TypeError, "cannot convert %.100s to JSON", Py_TYPE(o)->tp_name);
        j = NULL;
    }
    Py_LeaveRecursiveCall();
    return j;
}

json_t *lo_py_arg(PyObject *obj)
{
    if (!obj || obj == Py_None)
        return NULL;
    return lo_py_to_json(obj, 0);
}

/* ==== JSON -> Python ================================================================== */

static PyObject *lo_py_from_json(const json_t *j, int depth)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        PyObject *d = PyDict_New();
        const char *key;
        json_t *v;

        if (!d)
            return NULL;
        json_object_foreach((json_t *)(uintptr_t)j, key, v) {
            PyObject *pk = PyUnicode_DecodeUTF8(key, (Py_ssize_t)strlen(key), "replace");
            PyObject *pv = pk ? lo_py_from_json(v, depth + 1) : NULL;

            if (!pv || PyDict_SetItem(d, pk, pv) < 0) {
                Py_XDECREF(pk);
                Py_XDECREF(pv);
                Py_DECREF(d);
                return NULL;
            }
            Py_DECREF(pk);
            Py_DECREF(pv);
        }
        return d;
    }
    case JSON_ARRAY: {
        size_t i, n = json_array_size(j);
        PyObject *l = PyList_New((Py_ssize_t)n);

        if (!l)
            return NULL;
        for (i = 0; i < n; i++) {
            PyObject *pv = lo_py_from_json(json_array_get(j, i), depth + 1);

            if (!pv) {
                Py_DECREF(l);
                return NULL;
            }
            PyList_SET_ITEM(l, (Py_ssize_t)i, pv);
        }
        return l;
    }
    case JSON_STRING:
        return PyUnicode_DecodeUTF8(json_string_value(j), (Py_ssize_t)json_string_length(j),
                                    "replace");
    case JSON_INTEGER:
        return PyLong_FromLongLong((long long)json_integer_value(j));
    case JSON_REAL:
        return PyFloat_FromDouble(json_real_value(j));
    case JSON_TRUE:
        Py_RETURN_TRUE;
    case JSON_FALSE:
        Py_RETURN_FALSE;
    case JSON_NULL:
    default:
        Py_RETURN_NONE;
    }
}

PyObject *lo_py_result(const json_t *json)
{
    if (!json)
        Py_RETURN_NONE;
    return lo_py_from_json(json, 0);
}
