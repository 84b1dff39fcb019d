"""The WSGI entry point a worker loads (gunicorn `config.wsgi:application`)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_loaded_application_is_kept_out_of_the_collectors_walks():
    """Once the application is loaded, its objects are frozen (`gc.freeze`): a full collection
    in a request then walks the request's objects, not Django's."""
    code = "import gc, config.wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    frozen = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert int(frozen.strip().splitlines()[-1]) > 10_000
