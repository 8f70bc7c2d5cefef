"""Shared pytest configuration: the markers the suite uses."""

from __future__ import annotations

from typing import Any


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "slow: a sweep over many generated instances (deselect with -m 'not slow')")
