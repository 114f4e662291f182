"""badgebridge's host: the plugin contract, the domain, storage and the services built on them.

A provider plugin imports from ``badgebridge`` alone (``from badgebridge import hookimpl, ...``);
``badgebridge.core.hookspecs`` is the reference of the hooks.
"""
