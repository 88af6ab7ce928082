"""devstack/image_proof.py, the check CI runs on the converter image before pushing it.

Here there is no Docker, so the function behind the invoke URL is this repository's handler in
a process of its own, serving the RIE's invoke API, with the environment the image would get.
The real image under the real RIE is the CI job `converter-image` (.github/workflows/ci.yml).
"""

from __future__ import annotations

import os
import subprocess
import sys

from devstack.aws import free_port
from devstack.image_proof import function_environment
from tests.support.paths import REPO

# The RIE's side of Lambda's invoke API, in front of the converter handler.
FAKE_RIE = """
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from converter.handler import lambda_handler
from devstack.worker import LambdaContextStub

class Invoke(BaseHTTPRequestHandler):
    def do_POST(self):
        assert self.path == "/2015-03-31/functions/function/invocations", self.path
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body = json.dumps(lambda_handler(event, LambdaContextStub(function_name="converter"))).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

HTTPServer(("127.0.0.1", int(sys.argv[1])), Invoke).serve_forever()
"""


def run_proof(**function_env) -> subprocess.CompletedProcess:
    """The proof against this repository's handler, given function_environment() plus overrides."""
    moto_port, page_port, rie_port = free_port(), free_port(), free_port()
    env = {**os.environ, **function_environment(moto_port, page_port), **function_env}
    function = subprocess.Popen([sys.executable, "-c", FAKE_RIE, str(rie_port)], cwd=REPO, env=env)
    try:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "devstack.image_proof",
                "--invoke-url",
                f"http://127.0.0.1:{rie_port}/2015-03-31/functions/function/invocations",
                "--moto-port",
                str(moto_port),
                "--page-port",
                str(page_port),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        function.terminate()
        function.wait(timeout=30)


def test_the_proof_converts_a_page_through_the_invoke_api_and_finds_the_pdf_in_s3():
    result = run_proof()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the function converted the page" in result.stdout
    assert "s3://pagepress-ci-files/users/image-proof/" in result.stdout


def test_the_proof_fails_when_the_function_could_not_convert_the_page():
    result = run_proof(CONVERTER_EGRESS_ALLOW="")  # the function may not reach the loopback page
    assert result.returncode != 0
    assert "AssertionError: the entry is" in result.stderr, result.stderr[-2000:]
