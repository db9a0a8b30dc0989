"""Django's PostgreSQL backend for the suite, emptying the tables after a transactional test by DELETE.

pytest-django flushes the database after every test that commits (browser tests, the OTP API on the live server,
real workers). Django's flush is one TRUNCATE of every table, which PostgreSQL makes by swapping each table's files:
about a second for our tables, longer than most of those tests' own work. The tables hold a test's few rows, so
DELETE empties them in milliseconds. Foreign keys are DEFERRABLE INITIALLY DEFERRED (Django makes them so) and flush
runs in one transaction, so the order of the deletes does not matter. Everything else is Django's backend unchanged.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:  # sequences and cascades are TRUNCATE's to handle
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
