"""The broker transports the project uses, made safe against a message that cannot be decoded.

kombu decodes each message's envelope inside the transport, before Celery sees it; an envelope that is not
JSON (a truncated write, a stray client, a disk error) raises out of the worker's event loop and Celery stops
with "Unrecoverable error". These transports log such a message and drop it instead, so the worker takes the
next one. On the SQLAlchemy transport the dropped message stays in its table, marked invisible, for anyone
who wants to look at it (for a day, see KEEP_TAKEN_MESSAGES); on Redis it is gone from the list.

`use_safe_transports()` makes the usual URL schemes (`redis://`, `rediss://`, `sqla+…://`) resolve to them.
"""

import logging
import time
from datetime import datetime, timedelta

from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as redis_transport
from kombu.transport import sqlalchemy as sqlalchemy_transport
from kombu.transport.virtual import Empty
from sqlalchemy import create_engine, event
from sqlalchemy.exc import OperationalError

logger = logging.getLogger(__name__)


def _log_dropped(queue: str, error: Exception) -> None:
    logger.error("Dropped a message on queue %r that cannot be decoded (%s).", queue, error)


# Options of the transport itself, not of SQLAlchemy's engine (kombu passes all others to create_engine).
_TRANSPORT_ONLY_OPTIONS = ("polling_interval", "visibility_timeout")


# kombu keeps every message it handed out, marked taken, for good; they are deleted after this long.
KEEP_TAKEN_MESSAGES = timedelta(days=1)
PRUNE_EVERY_POLLS = 3000  # about every five minutes at ten polls a second


class SQLAlchemyChannel(sqlalchemy_transport.Channel):
    _polls = 0

    def _engine_from_config(self):
        options = {
            key: value
            for key, value in self.connection.client.transport_options.items()
            if key not in (*_TRANSPORT_ONLY_OPTIONS, "queue_tablename", "message_tablename", "callback",
                           "errback", "max_retries", "interval_start", "interval_step", "interval_max",
                           "retry_errors")
        }  # fmt: skip
        engine = create_engine(self.connection.client.hostname, **options)
        if engine.dialect.name == "sqlite":
            # The web, the worker and beat write to one file: readers never wait for a writer (WAL), and a
            # writer waits for the lock rather than failing at once.
            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA busy_timeout=30000")
                cursor.close()

        return engine

    def _open(self):
        # Processes starting together may race to create the tables; the loser finds them made.
        for attempt in range(5):
            try:
                return super()._open()
            except OperationalError:
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def _prune_taken_messages(self) -> None:
        before = datetime.now() - KEEP_TAKEN_MESSAGES  # kombu stores naive local times
        message = self.message_cls
        self.session.query(message).filter(message.visible == False, message.sent_at < before).delete(  # noqa: E712
            synchronize_session=False
        )
        self.session.commit()

    def _get(self, queue):
        self._polls += 1
        if self._polls % PRUNE_EVERY_POLLS == 0:
            self._prune_taken_messages()
        # The parent marks the message invisible and commits before it decodes it, so on failure the
        # message is already out of the queue and kept in the table: log it and report an empty poll.
        try:
            return super()._get(queue)
        except ValueError as error:
            _log_dropped(queue, error)
            raise Empty() from None


class SQLAlchemyTransport(sqlalchemy_transport.Transport):
    Channel = SQLAlchemyChannel


class RedisChannel(redis_transport.Channel):
    def _get(self, queue):
        try:
            return super()._get(queue)
        except ValueError as error:
            _log_dropped(queue, error)
            raise Empty() from None

    def _brpop_read(self, **options):
        # The consuming path: BRPOP has already taken the message off the list when it fails to decode.
        try:
            return super()._brpop_read(**options)
        except ValueError as error:
            _log_dropped("(BRPOP)", error)
            return False


class RedisTransport(redis_transport.Transport):
    Channel = RedisChannel


def use_safe_transports() -> None:
    TRANSPORT_ALIASES.update(
        {
            "redis": f"{__name__}:RedisTransport",
            "rediss": f"{__name__}:RedisTransport",
            "sqla": f"{__name__}:SQLAlchemyTransport",
            "sqlalchemy": f"{__name__}:SQLAlchemyTransport",
        }
    )
