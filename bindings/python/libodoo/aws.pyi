# SPDX-License-Identifier: MIT
# Type stubs of libodoo.aws (the Python binding of the C library libodoo-aws):
# the DynamoDB client and sink. bindings/python/tests/test_stubs.py checks that
# the names here are exactly the module's public names.

from typing import Any as _Any
from typing import Dict as _Dict
from typing import List as _List
from typing import Optional as _Optional

from . import Sink as _Sink

__all__: _List[str]

DYNAMODB_S: str
DYNAMODB_N: str
DYNAMODB_BATCH: int
DYNAMODB_CONDITIONAL: int
DYNAMODB_MAX_ITEM_SIZE: int
DYNAMODB_DEFAULT_CONCURRENCY: int
DYNAMODB_DEFAULT_MAX_RETRIES: int
AWS_DEFAULT_REFRESH_MARGIN_S: int
AWS_DEFAULT_CONNECT_TIMEOUT_MS: int
AWS_DEFAULT_TIMEOUT_MS: int
AWS_DEFAULT_MAX_RETRIES: int

class DynamoDB:
    def __init__(self, **options: _Any) -> None: ...
    def call(self, operation: str, request: _Optional[_Dict[str, _Any]] = None) -> _Any: ...
    def create_table(self, table: str, partition_key: str, partition_type: str = "N",
                     sort_key: _Optional[str] = None, sort_type: str = "S",
                     wait_ms: int = 10000) -> None: ...
    def describe_table(self, table: str) -> _Dict[str, _Any]: ...
    def scan(self, table: str, plain: bool = True) -> _List[_Dict[str, _Any]]: ...
    @property
    def endpoint(self) -> _Optional[str]: ...
    @property
    def region(self) -> _Optional[str]: ...

def dynamodb_sink(table: str, **options: _Any) -> _Sink: ...
