"""The converter's image installs converter/requirements.txt only: its handlers must load without
the API's packages (PostgreSQL driver, bcrypt, JWT, e-mail validation) or Chalice, and open a
job's headers and cookies with KMS, without the local sealer's cryptography."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import REPO

PROBE = """
import importlib.abc, sys

class Absent(importlib.abc.MetaPathFinder):
    BLOCKED = {"psycopg2", "bcrypt", "jwt", "email_validator", "chalice", "pgserver", "moto", "cryptography"}

    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in self.BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (not in the converter image)")
        return None

sys.meta_path.insert(0, Absent())
from converter import handler
from chalicelib.config import Settings
from chalicelib.wiring import Container
settings = Settings(jwt_secret="x" * 40, credentials_kms_key_id="alias/pagepress-job-credentials")
container = Container(settings, handler.playwright_renderer)
assert container.jobs is not None and container.file_index is not None
assert type(container.credential_sealer).__name__ == "KmsSealer"
print("ok", handler.lambda_handler.__name__, handler.dead_letter_handler.__name__)
"""


def test_the_converter_handlers_load_with_only_the_converter_requirements():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok lambda_handler dead_letter_handler")
