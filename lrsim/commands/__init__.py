"""Subcommands of `lrsim`: one module each, defining NAME and register(subparsers)."""
