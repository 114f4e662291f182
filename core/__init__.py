"""badgebridge's host: the plugin contract, the domain, storage and the services built on them.

A provider plugin needs only this package's ``hookimpl`` marker and the types in ``core.model``::

    from core import hookimpl
    from core.model import ProviderDeclaration

    @hookimpl
    def declare_provider():
        return ProviderDeclaration(name="example", settings_schema={...})

See ``core.hookspecs`` for the full reference.
"""

from core.hookspecs import NAME, hookimpl

__version__ = "0.1.0"
__all__ = ["NAME", "__version__", "hookimpl"]
