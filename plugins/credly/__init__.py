"""The Credly provider: connects to an organization on Credly (or the bundled mock) over its v1 REST API.

``provider`` holds the hook implementations (the entry point
``credly = badgebridge.plugins.credly.provider``), ``client`` the HTTP client and ``errors`` the
mapping of Credly's failures onto ``badgebridge.core.errors``.
"""
