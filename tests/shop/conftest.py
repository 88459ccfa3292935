"""The shop server's tests use the PostgreSQL fixtures of tests/conftest.py."""
