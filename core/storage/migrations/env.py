"""Alembic's environment: migrations run on the connection the caller hands over (never a URL).

``badgebridge.core.storage.migrations`` puts the connection in ``config.attributes["connection"]``
inside its own transaction, so creating, stamping and upgrading happen under one lock.
"""

from alembic import context

from badgebridge.core.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
