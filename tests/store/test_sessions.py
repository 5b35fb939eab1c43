"""Sessions: an exclusive writer waits long for another run, and leaves the usual wait behind it."""

from __future__ import annotations

from sqlalchemy import Engine, text

from compliance.store.db import WRITER_WAIT_SECONDS, session_scope


def test_the_long_writer_wait_ends_with_the_exclusive_session(engine: Engine) -> None:
    with session_scope(engine, exclusive=True) as session:
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == WRITER_WAIT_SECONDS * 1000
    # The same pooled connection serves the next stage of the same context: back to 30 s.
    with session_scope(engine) as session:
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 30000
