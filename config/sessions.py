"""Sessions in PostgreSQL with fewer round trips than Django's database store, and the same guarantees.

Django's store asks whether a new key exists before inserting it, writes an empty row when a sign-in cycles the
key and updates it with the data at the end of the response, and reads a row before deleting it. Here a new key is
inserted once, with its data, by the response's save (the primary key still refuses a clash, which becomes
Django's CreateError and a new key, as before), and a row is deleted by its key alone.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    _key_unsaved = False  # cycle_key chose a key whose row is not written yet

    def _get_new_session_key(self) -> str:
        # 32 of 36 characters from `secrets`: a clash is never met, and the INSERT's primary key refuses one.
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self) -> None:
        """A new key now (callers read it at once: a trusted device names its session), written with the data
        by this response's save; the old row goes at once."""
        data, old_key = self._session, self.session_key
        self._session_key = self._get_new_session_key()
        self._session_cache = data
        self._key_unsaved = self.modified = True
        if old_key:
            self.delete(old_key)

    def save(self, must_create: bool = False) -> None:
        if self._key_unsaved:
            self._key_unsaved = False
            try:
                return super().save(must_create=True)
            except CreateError:
                return self.create()  # a clash (never met): another key, as Django's store would choose
        return super().save(must_create=must_create)

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=session_key).delete()
