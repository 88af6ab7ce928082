"""`make package` builds the API Lambda's zip for Lambda's platform, and that zip alone runs the app."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile

import pytest

from tests.support.paths import REPO, makefile_variable, python_version

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


@pytest.fixture(scope="module")
def archive():
    subprocess.run(
        ["make", "--no-print-directory", "package", "STAGE=test"],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return REPO / "build" / "api-test.zip"


def test_the_zips_native_wheels_are_built_for_lambdas_python_and_architecture(archive):
    cp = "cp" + python_version().replace(".", "")
    arch = makefile_variable("LAMBDA_ARCH")
    platform = re.compile(rf"^(manylinux_2_(\d+)|manylinux2014)_{arch}$")
    native = {}
    with zipfile.ZipFile(archive) as zipped:
        for name in zipped.namelist():
            if name.endswith(".dist-info/WHEEL"):
                wheel = zipped.read(name).decode()
                if "Root-Is-Purelib: false" in wheel:
                    native[name.split("-")[0]] = re.findall(r"^Tag: (\S+)$", wheel, re.M)
        extensions = [n for n in zipped.namelist() if n.endswith(".so") and ".cpython-" in n]
    assert {"bcrypt", "psycopg2_binary"} <= set(native), sorted(native)
    for project, tags in native.items():
        assert tags, project
        for tag in tags:
            interpreter, abi, plat = tag.split("-")
            assert interpreter == cp or abi == "abi3", f"{project}: {tag} is not for {cp}"
            match = platform.match(plat)
            assert match, f"{project}: {tag} is not a manylinux {arch} wheel"
            assert not match.group(2) or int(match.group(2)) <= int(makefile_variable("LAMBDA_GLIBC").split("_")[1])
    assert extensions and all(f".cpython-{cp[2:]}-{arch}-linux-gnu.so" in n for n in extensions), extensions


def test_the_packaged_zip_imports_and_serves_in_a_fresh_interpreter(tmp_path, archive):
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        zipped.extractall(tmp_path)
    assert {
        "app.py",
        "api/routing.py",
        "api/openapi.yaml",
        "chalicelib/wiring.py",
        "chalicelib/adapters/migrations/001_users.sql",
        "chalicelib/adapters/migrations/004_app_role.sql",
        "chalicelib/migrate.py",  # the migrate Lambda's handler rides the same zip
    } <= names
    assert not any(name.startswith(("tests/", "converter/", "devstack/", "frontend-build/")) for name in names)
    # -I -S: no site-packages, no PYTHONPATH, so every import must come from the zip
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["file"].startswith(str(tmp_path))
    assert "/api/v1/request" in report["routes"] and "/api/v1/sing-in" in report["routes"]
    assert report["status"] == 400 and report["body"]["error"]["code"] == "invalid_json"
