// SPDX-License-Identifier: MIT
/*
 * libodoo Python binding - lo_python.h: JSON values to and from Python
 * objects, and the exception classes (see lo_python.c).
 */
#ifndef LO_PYTHON_H
#define LO_PYTHON_H

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

#include <jansson.h>

/** Create the exception classes and add them to @p module. 0, or -1 with an exception set. */
int lo_py_init(PyObject *module);

/**
 * Convert an argument: None gives NULL (the argument's default) without an
 * exception; anything else a new JSON reference, or NULL with TypeError /
 * ValueError / OverflowError set.
 */
json_t *lo_py_arg(PyObject *obj);

/** Convert a result (borrowed): NULL gives None. New reference, or NULL with an exception set. */
PyObject *lo_py_result(const json_t *json);

/** Raise the calling thread's pending libodoo error as its exception class. */
void lo_py_raise_pending(void);

#endif /* LO_PYTHON_H */
