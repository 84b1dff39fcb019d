import pytest
from django.core.management import call_command
from django.utils import translation


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The Korean catalogue compiled as set-up compiles it, so Korean pages are Korean."""
    call_command("compile_translations", verbosity=0)


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: a Korean request leaves its language on the thread."""
    translation.activate("en")
    yield
    translation.deactivate()
