"""Fixtures for the security tests live in tests/conftest.py; helpers in tests/helpers.py."""
