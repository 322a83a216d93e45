# SPDX-License-Identifier: MIT
"""The RPC entry points into the ORM shared by call_kw, /jsonrpc execute_kw and JSON-2:
method lookup (public methods only) and argument binding like odoo.api.call_kw."""

import inspect

from .exceptions import AccessError, NotFound, UnprocessableEntity
from .orm import downgrade


def check_method_name(env, model_name, name):
    if not isinstance(name, str) or name.startswith('_'):
        if env.flavor.v19:
            raise AccessError(f"Private methods (such as '{model_name}.{name}') cannot be called remotely.")
        raise AccessError(f'Private methods (such as {name}) cannot be called remotely.')


def get_public_method(model, name):
    method = getattr(type(model), name, None)
    if not callable(method) or not getattr(method, '_api', None):
        if model.env.flavor.v19:
            raise AttributeError(f"The method '{model._name}.{name}' does not exist")
        raise AttributeError(f"The method '{name}' does not exist on the model '{model._name}'")
    return method


def call_kw(env, model_name, name, args, kwargs):
    """odoo.api.call_kw: positional args, args[0] = ids for recordset methods."""
    model = env[model_name]
    method = get_public_method(model, name)
    kwargs = dict(kwargs)
    context = kwargs.pop('context', None)
    if context:
        model = model.with_context(context)
    model.env.check_companies()
    args = list(args)
    if method._api == 'multi':
        ids, args = args[0], args[1:]
        records = model.browse(ids)
    else:
        records = model
    env.registry.notify_call(model_name, name)
    result = method(records, *args, **kwargs)
    if method._api == 'model_create':
        vals = args[0] if args else kwargs.get('vals_list')
        return result.id if isinstance(vals, dict) else result.ids
    return downgrade(result)


def call_json2(env, model_name, name, params):
    """/json/2/<model>/<method>: named arguments only, 'ids' and 'context' apart."""
    if model_name not in env.registry.models:
        raise NotFound(f"the model '{model_name}' does not exist")
    model = env[model_name]
    check_method_name(env, model_name, name)
    try:
        method = get_public_method(model, name)
    except AttributeError as exc:
        raise NotFound(exc.args[0]) from exc
    params = dict(params) if isinstance(params, dict) else {}
    ids = params.pop('ids', None) or []
    context = params.pop('context', None) or {}
    if ids and method._api in ('model', 'model_create'):
        raise UnprocessableEntity(f'cannot call {model_name}.{name} with ids')
    records = model.with_context(context).browse(ids)
    try:
        inspect.signature(method).bind(records, **params)
    except TypeError as exc:
        raise UnprocessableEntity(exc.args[0]) from exc
    records.env.check_companies()
    env.registry.notify_call(model_name, name)
    return downgrade(method(records, **params))
