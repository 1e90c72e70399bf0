"""Tables, engine set-up, the unit of work and Alembic migrations."""
