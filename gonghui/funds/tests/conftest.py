import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _source_language():
    """Service messages are matched in their source language: a page served by an earlier test leaves Chinese
    active in the thread. A test that checks the Chinese text overrides the language itself."""
    translation.activate("en")
    yield
    translation.deactivate()
