"""The command groups of ``badgebridge``, one module each; ``badgebridge.cli`` puts them together."""
