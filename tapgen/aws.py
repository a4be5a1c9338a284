"""The one place that imports the prebuilt AWS provider bindings.

`cdktf_cdktf_provider_aws/__init__.py` imports all ~2,100 submodules, which costs 7-10 s and
~550 MB before any work. Each submodule only needs the package's `_jsii` assembly, so we register
a bare package object (same path, same spec, no `__init__` executed) and import just the
submodules the stack touches. If the package layout ever changes so that this no longer works,
we fall back to the ordinary import: slower, never wrong.

Usage: `from tapgen.aws import aws` then `aws.s3_bucket.S3Bucket(scope, "tap_stack_logs", ...)`.
Resources and data sources created through `aws` get their construct id as Terraform name
(see `tapgen.naming`), and their region's provider and suffix (see `tapgen.placement`).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

from cdktf import TerraformDataSource, TerraformResource

from tapgen.naming import pin
from tapgen.placement import place

PACKAGE = "cdktf_cdktf_provider_aws"


def _register_bare_package() -> bool:
    """Put the package in sys.modules without running its __init__; False if impossible."""
    if PACKAGE in sys.modules:
        return True
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return False
    package = types.ModuleType(PACKAGE)
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    package.__file__ = spec.origin
    sys.modules[PACKAGE] = package
    return True


def _import_submodule(name: str) -> types.ModuleType:
    qualified = f"{PACKAGE}.{name}"
    try:
        return importlib.import_module(qualified)
    except ImportError:
        # Fallback: the ordinary (slow) import path, with the real package __init__.
        sys.modules.pop(PACKAGE, None)
        sys.modules.pop(qualified, None)
        importlib.import_module(PACKAGE)
        return importlib.import_module(qualified)


def _pinned(cls: type):
    """A factory for `cls` that places each new element in its region (`tapgen.placement`) and
    pins its Terraform name to its construct id plus that region's suffix (`tapgen.naming`)."""
    kind = "data" if issubclass(cls, TerraformDataSource) else "resource"
    rtype = cls.TF_RESOURCE_TYPE

    def create(scope, id: str, /, *args, **kwargs):
        placement = place(scope, id, kwargs)
        element = cls(scope, id, *args, **kwargs)
        pin(element, id, kind, rtype, placement)
        return element

    create.__name__ = cls.__name__
    create.__doc__ = cls.__doc__
    return create


class _PinnedModule:
    """One provider submodule; its resource and data-source classes come back as `_pinned`."""

    def __init__(self, module: types.ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str):
        value = getattr(self._module, name)
        if isinstance(value, type) and issubclass(value, (TerraformResource, TerraformDataSource)):
            value = _pinned(value)
        setattr(self, name, value)
        return value


class _LazyBindings:
    """Attribute access imports one provider submodule, e.g. `aws.kms_key.KmsKey`."""

    def __init__(self) -> None:
        self._prepared = False

    def __getattr__(self, name: str) -> _PinnedModule:
        if name.startswith("_"):
            raise AttributeError(name)
        if not self._prepared:
            # When this fails the real package is imported below instead.
            _register_bare_package()
            self._prepared = True
        module = _PinnedModule(_import_submodule(name))
        setattr(self, name, module)
        return module


aws = _LazyBindings()
