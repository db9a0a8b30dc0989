"""Sessions in PostgreSQL with fewer round trips than Django's database store, and the same guarantees.

Django's store asks whether a new key exists before inserting it, wraps each single-statement write in a
transaction of its own, and when a sign-in cycles the key inserts an empty row, reads and deletes the old one,
then updates the new one with the data. Here each write is one statement: a new key is inserted with its data
(the primary key refuses a clash, and another key is drawn, as Django does); a cycled key is one UPDATE that
moves the old row to the new key and data, so the old key stops existing in the statement that writes the new.

The four statements a request can make (read, insert, update, move) are written out: each is the same SQL the
ORM would build, without building it on every request (about 0.3 ms each on the sign-in's requests).
"""

from contextlib import nullcontext

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    _key_unsaved = False  # cycle_key chose a key whose row is not written yet
    _replaces: str | None = None  # the key whose row that write takes over

    def _get_new_session_key(self) -> str:
        # 32 of 36 characters from `secrets`: a clash is never met, and the primary key refuses one.
        return get_random_string(32, VALID_KEY_CHARS)

    def _using(self) -> str:
        return router.db_for_write(self.model)

    def _execute(self, sql: str, params: list) -> "tuple | int":
        """One statement on the sessions table ({table} in `sql`): the first row of a SELECT, else the rows
        written."""
        connection = connections[self._using()]
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=table), params)
            return cursor.fetchone() if sql.startswith("SELECT") else cursor.rowcount

    def _stored(self, moment):
        """A datetime as the database stores it (SQLite: UTC text)."""
        return connections[self._using()].ops.adapt_datetimefield_value(moment)

    def _expiry(self):
        return self._stored(self.get_expiry_date())

    def load(self) -> dict:
        row = self._execute(
            "SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
            [self.session_key, self._stored(timezone.now())],
        )
        if row is None:  # unknown or expired: as Django's store, the key is dropped and a new one drawn on save
            self._session_key = None
            return {}
        return self.decode(row[0])

    def _statement(self):
        """A savepoint when inside a transaction (a refused INSERT must not break it); else autocommit alone."""
        using = self._using()
        return transaction.atomic(using=using) if connections[using].in_atomic_block else nullcontext()

    def create(self) -> None:
        while True:
            self._session_key = self._get_new_session_key()
            try:
                with self._statement():
                    self._insert()
            except IntegrityError:
                continue  # the key was taken: draw another
            self.modified = True
            return

    def _insert(self) -> None:
        self._execute(
            "INSERT INTO {table} (session_key, session_data, expire_date) VALUES (%s, %s, %s)",
            [self.session_key, self.encode(self._get_session(no_load=True)), self._expiry()],
        )

    def cycle_key(self) -> None:
        """A new key now (callers read it at once: a trusted device names its session); its row is written with
        the data by this response's save, taking over the old key's row."""
        data = self._session
        if not self._key_unsaved:
            self._replaces = self.session_key
        self._session_key = self._get_new_session_key()
        self._session_cache = data
        self._key_unsaved = self.modified = True

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        if self._key_unsaved:
            return self._save_cycled()
        if must_create:
            try:
                with self._statement():
                    self._insert()
            except IntegrityError as clash:
                raise CreateError from clash
            return None
        try:
            updated = self._execute(
                "UPDATE {table} SET session_data = %s, expire_date = %s WHERE session_key = %s",
                [self.encode(self._get_session()), self._expiry(), self.session_key],
            )
        except DatabaseError as error:
            raise UpdateError from error  # as Django's store answers
        if not updated:
            raise UpdateError  # the row was deleted meanwhile (signed out elsewhere), as Django's store says
        return None

    def _save_cycled(self) -> None:
        old_key, self._key_unsaved, self._replaces = self._replaces, False, None
        try:
            with self._statement():
                if old_key and self._execute(
                    "UPDATE {table} SET session_key = %s, session_data = %s, expire_date = %s WHERE session_key = %s",
                    [self.session_key, self.encode(self._get_session(no_load=True)), self._expiry(), old_key],
                ):
                    return
                self._insert()
        except IntegrityError:  # the new key clashed (never met): the old row goes, and another key is drawn
            if old_key:
                self.model.objects.filter(session_key=old_key).delete()
            self.create()

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self._replaces:  # flushed before its save: the old key's row goes too
                self.model.objects.filter(session_key=self._replaces).delete()
            self._key_unsaved, self._replaces = False, None
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=session_key).delete()
