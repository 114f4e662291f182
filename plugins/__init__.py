"""Provider plugins shipped with badgebridge; each registers through the `badgebridge` entry-point group
like any third-party plugin."""
