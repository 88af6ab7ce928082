"""The CredentialSealer contract, run against the fake, the local AES-GCM adapter and KMS on
moto's server: sealed bytes hide the plaintext, open for the same context only, and refuse
tampering."""

from __future__ import annotations

import pytest

from chalicelib.adapters.kms_sealer import KmsSealer
from chalicelib.adapters.local_sealer import LocalSealer
from chalicelib.domain.errors import DependencyUnavailable, SealBroken
from chalicelib.domain.ports import CredentialSealer
from tests.fakes.sealer import FakeSealer

PLAINTEXT = b'{"h":[["Authorization","Bearer t0ps3cret"]],"c":[]}'
JOB = {"user_id": "user-ada", "file_id": "01JOB"}


def _real(kind: str, request: pytest.FixtureRequest) -> CredentialSealer:
    if kind == "local":
        return LocalSealer("local-secret-" + "x" * 40)
    kms = request.getfixturevalue("wired").client("kms")
    return KmsSealer(kms, kms.create_key(Description="pagepress job credentials (test)")["KeyMetadata"]["KeyId"])


@pytest.fixture(params=["fake", "local", "kms"])
def sealer(request: pytest.FixtureRequest) -> CredentialSealer:
    return FakeSealer() if request.param == "fake" else _real(request.param, request)


@pytest.fixture(params=["local", "kms"])
def real_sealer(request: pytest.FixtureRequest) -> CredentialSealer:
    return _real(request.param, request)


def test_sealed_bytes_open_to_the_plaintext_for_the_same_job(sealer: CredentialSealer) -> None:
    sealed = sealer.seal(PLAINTEXT, JOB)
    assert sealer.open(sealed, dict(JOB)) == PLAINTEXT


def test_sealed_bytes_open_for_no_other_job(sealer: CredentialSealer) -> None:
    sealed = sealer.seal(PLAINTEXT, JOB)
    for other in ({**JOB, "file_id": "01OTHER"}, {**JOB, "user_id": "user-bob"}):
        with pytest.raises(SealBroken):
            sealer.open(sealed, other)


def test_tampered_bytes_do_not_open(sealer: CredentialSealer) -> None:
    sealed = bytearray(sealer.seal(PLAINTEXT, JOB))
    sealed[-1] ^= 0x01
    with pytest.raises(SealBroken):
        sealer.open(bytes(sealed), JOB)
    with pytest.raises(SealBroken):
        sealer.open(b"", JOB)


def test_real_sealers_hide_the_plaintext_and_never_seal_twice_alike(real_sealer: CredentialSealer) -> None:
    first, second = real_sealer.seal(PLAINTEXT, JOB), real_sealer.seal(PLAINTEXT, JOB)
    assert b"t0ps3cret" not in first and first != second


def test_a_local_key_from_another_secret_does_not_open_them() -> None:
    sealed = LocalSealer("local-secret-" + "x" * 40).seal(PLAINTEXT, JOB)
    with pytest.raises(SealBroken):
        LocalSealer("another-secret-" + "y" * 40).open(sealed, JOB)


def test_kms_that_does_not_answer_is_a_dependency_failure() -> None:
    import boto3
    from botocore.config import Config

    unreachable = boto3.client(
        "kms",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(connect_timeout=1, retries={"max_attempts": 1}),
    )
    with pytest.raises(DependencyUnavailable):
        KmsSealer(unreachable, "alias/none").seal(PLAINTEXT, JOB)
