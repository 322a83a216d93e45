# SPDX-License-Identifier: MIT
"""The type stubs and the docstrings of the package libodoo as it is imported
(the build tree, or a wheel installed in a venv: bindings.python.wheel runs
this file there too).

- libodoo/__init__.pyi and libodoo/aws.pyi sit next to the modules, with
  py.typed (PEP 561);
- each stub names exactly the module's public names, with the same __all__;
- each class in a stub has exactly the public members of the class, its
  functions the runtime's parameters and defaults, its exceptions the
  runtime's bases; Error the attributes a raised error carries;
- help() shows a signature and text for every public callable: the
  functions, the classes and each of their public methods and properties.

No server needed."""

import ast
import builtins
import inspect
import os
import pydoc

import pytest

import libodoo
from libodoo import aws

MODULES = {"libodoo": libodoo, "libodoo.aws": aws}
# SWIG's own member of every proxy class (the ownership flag): not API.
SWIG_MEMBERS = {"thisown", "this"}


def stub_file(module):
    base = os.path.dirname(module.__file__)
    if module.__name__ == "libodoo":
        return os.path.join(base, "__init__.pyi")
    return os.path.join(base, module.__name__.rsplit(".", 1)[1] + ".pyi")


def stub(module):
    path = stub_file(module)
    with open(path, encoding="utf-8") as f:
        return ast.parse(f.read(), path)


def defined(body):
    """name -> node of what a stub body defines (imports re-export nothing)."""
    out = {}
    for node in body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = node
    return out


def public(names):
    return {n for n in names if not n.startswith("_")}


def runtime_public(module):
    return {n for n, v in vars(module).items()
            if not n.startswith("_") and not inspect.ismodule(v)}


def stub_classes(module):
    return {name: node for name, node in defined(stub(module).body).items()
            if isinstance(node, ast.ClassDef)}


def is_exception(cls):
    return isinstance(cls, type) and issubclass(cls, BaseException)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_stubs_and_marker_are_installed(name):
    module = MODULES[name]
    assert os.path.isfile(stub_file(module)), stub_file(module)
    marker = os.path.join(os.path.dirname(libodoo.__file__), "py.typed")
    assert os.path.isfile(marker), marker


@pytest.mark.parametrize("name", sorted(MODULES))
def test_stub_names_are_the_public_names(name):
    module = MODULES[name]
    names = public(defined(stub(module).body))
    runtime = runtime_public(module)
    assert names - runtime == set(), "in %s's stub, not in the module" % name
    assert runtime - names == set(), "in %s, not in its stub" % name
    assert set(module.__all__) <= names
    assert "__all__" in defined(stub(module).body)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_stub_classes_have_the_public_members(name):
    module = MODULES[name]
    classes = stub_classes(module)
    assert classes
    for cls_name, node in classes.items():
        cls = getattr(module, cls_name)
        if is_exception(cls):
            continue
        members = public(defined(node.body))
        runtime = public(dir(cls)) - SWIG_MEMBERS
        assert members == runtime, (cls_name, members ^ runtime)


def _default(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return inspect.Parameter.empty


def _check_signature(where, func, node):
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return 0
    params = list(sig.parameters.values())
    if params and params[0].name == "self":
        params = params[1:]
    if [p.kind for p in params] == [inspect.Parameter.VAR_POSITIONAL,
                                    inspect.Parameter.VAR_KEYWORD]:
        return 0  # SWIG's generic proxy (*args, **kwargs): nothing to compare
    args = node.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if positional and positional[0] == "self":
        positional = positional[1:]
    names = positional + ([args.vararg.arg] if args.vararg else []) + \
        [a.arg for a in args.kwonlyargs] + ([args.kwarg.arg] if args.kwarg else [])
    assert [p.name for p in params] == names, (where, str(sig))
    defaults = [_default(d) for d in args.defaults]
    stub_defaults = dict(zip(positional[len(positional) - len(defaults):], defaults))
    for p in params:
        if p.name in stub_defaults and stub_defaults[p.name] is not inspect.Parameter.empty:
            assert p.default == stub_defaults[p.name], (where, p.name, p.default)
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name in positional:
            assert (p.default is p.empty) == (p.name not in stub_defaults), (where, p.name)
    return 1


@pytest.mark.parametrize("name", sorted(MODULES))
def test_stub_signatures_match(name):
    module = MODULES[name]
    checked = 0
    for item, node in defined(stub(module).body).items():
        if item.startswith("_"):
            continue
        obj = getattr(module, item)
        if isinstance(node, ast.FunctionDef):
            checked += _check_signature("%s.%s" % (name, item), obj, node)
        elif isinstance(node, ast.ClassDef) and not is_exception(obj):
            for member, sub in defined(node.body).items():
                if isinstance(sub, ast.FunctionDef) and not any(
                        isinstance(d, ast.Name) and d.id == "property" for d in sub.decorator_list):
                    checked += _check_signature("%s.%s.%s" % (name, item, member),
                                                getattr(obj, member), sub)
    assert checked >= (20 if name == "libodoo" else 4), checked


def _resolve(base):
    if isinstance(base, ast.Name):
        return getattr(libodoo, base.id) if base.id in vars(libodoo) else getattr(builtins, base.id)
    if isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name) \
            and base.value.id == "_builtins":
        return getattr(builtins, base.attr)
    raise AssertionError(ast.dump(base))


def test_stub_exceptions_have_the_runtime_bases_and_attributes():
    classes = stub_classes(libodoo)
    exceptions = {n: node for n, node in classes.items() if is_exception(getattr(libodoo, n))}
    assert len(exceptions) >= 17
    for cls_name, node in exceptions.items():
        cls = getattr(libodoo, cls_name)
        bases = tuple(_resolve(b) for b in node.bases)
        if cls_name == "Error":
            assert bases == (Exception,) == cls.__bases__
        else:
            assert bases == cls.__bases__, (cls_name, bases, cls.__bases__)
    with pytest.raises(libodoo.AccessError) as info:
        libodoo.core._raise_error(libodoo.EACCESS, "no access")
    carried = public(vars(info.value))
    declared = public(defined(exceptions["Error"].body))
    assert carried == declared, carried ^ declared


def _public_callables():
    for name, module in MODULES.items():
        for item in sorted(runtime_public(module)):
            obj = getattr(module, item)
            if not callable(obj):
                continue
            yield "%s.%s" % (name, item), obj
            if inspect.isclass(obj) and not is_exception(obj):
                for member in sorted(public(dir(obj)) - SWIG_MEMBERS):
                    yield "%s.%s.%s" % (name, item, member), getattr(obj, member)


def test_every_public_callable_has_a_docstring():
    seen = 0
    missing = []
    for where, obj in _public_callables():
        seen += 1
        doc = inspect.getdoc(obj)
        if not doc or not doc.strip():
            missing.append(where)
    assert not missing, "no docstring: " + ", ".join(missing)
    assert seen > 60, seen


def test_help_shows_signature_and_text():
    text = pydoc.render_doc(libodoo.connect, renderer=pydoc.plaintext)
    assert "connect(url=None, database=None, login=None, password=None, **options)" in text
    assert "A new Session, already logged in" in text
    text = pydoc.render_doc(libodoo.Session, renderer=pydoc.plaintext)
    assert "search_read(self, model, domain=None, fields=None" in text
    assert "A connection to one Odoo database as one user." in text
    assert "The user id after login" in text  # a property's docstring
    text = pydoc.render_doc(libodoo.version, renderer=pydoc.plaintext)
    assert "version()" in text and "the version of the libodoo library" in text
    text = pydoc.render_doc(aws.DynamoDB, renderer=pydoc.plaintext)
    assert "A DynamoDB client" in text
