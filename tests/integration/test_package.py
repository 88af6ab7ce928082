"""`make package` builds the API Lambda's zip, and that zip alone runs the app (api/ included)."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from tests.support.paths import REPO


PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import app
event = {"requestContext": {"resourcePath": "/api/v1/sign-up", "httpMethod": "POST", "path": "/api/v1/sign-up",
                            "identity": {"sourceIp": "192.0.2.1"}},
         "headers": {"content-type": "application/json"}, "pathParameters": {}, "stageVariables": {},
         "multiValueQueryStringParameters": None, "body": "{not json"}
response = app.app(event, None)
print(json.dumps({"file": app.__file__, "routes": sorted(app.app.routes), "status": response["statusCode"],
                  "body": json.loads(response["body"])}))
"""


def test_the_packaged_zip_imports_and_serves_in_a_fresh_interpreter(tmp_path):
    subprocess.run(["make", "--no-print-directory", "package", "STAGE=test"], cwd=REPO, check=True,
                   capture_output=True, timeout=600)
    archive = REPO / "build" / "api-test.zip"
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        zipped.extractall(tmp_path)
    assert {"app.py", "api/routing.py", "api/openapi.yaml", "chalicelib/wiring.py",
            "chalicelib/adapters/migrations/001_users.sql"} <= names
    assert not any(name.startswith(("tests/", "converter/", "devstack/", "frontend-build/")) for name in names)
    # -I -S: no site-packages, no PYTHONPATH, so every import must come from the zip
    result = subprocess.run([sys.executable, "-I", "-S", "-c", PROBE, str(tmp_path)], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["file"].startswith(str(tmp_path))
    assert "/api/v1/request" in report["routes"] and "/api/v1/sing-in" in report["routes"]
    assert report["status"] == 400 and report["body"]["error"]["code"] == "invalid_json"
