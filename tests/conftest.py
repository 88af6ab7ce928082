"""Fixtures shared by every test: embedded PostgreSQL, moto's server, settings, the API client."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid

import pytest

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from chalicelib.config import Settings, default_chromium  # noqa: E402 - the AWS defaults above come first
from chalicelib.wiring import Container, reset_container  # noqa: E402 - the AWS defaults above come first
from tests.support.pages import PageServer  # noqa: E402 - the AWS defaults above come first


@pytest.fixture(scope="session")
def postgres_owner_url():
    """One embedded PostgreSQL for the session (a short path: unix sockets have a length limit),
    migrated once by its owner, as the deployment's migrate step does."""
    import pgserver

    data = tempfile.mkdtemp(prefix="pp-pg-", dir="/tmp")
    server = pgserver.get_server(data, cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_owner_url):
    """The API's URL: a user with rights on rows only (chalicelib/migrate.py), as on AWS."""
    from chalicelib.migrate import migrate
    from devstack.postgres import LOCAL_APP_USER, with_user

    app_url = with_user(postgres_owner_url, LOCAL_APP_USER)
    migrate(postgres_owner_url, app_url)
    return app_url


@pytest.fixture(scope="session")
def moto_aws():
    from devstack.aws import MotoAws

    aws = MotoAws("127.0.0.1", 0)
    aws.start()
    yield aws
    aws.stop()


@pytest.fixture
def make_settings(postgres_url, moto_aws):
    """Settings with resource names of their own, so tests never see each other's files."""
    from devstack.aws import create_resources

    def build(**overrides) -> Settings:
        suffix = uuid.uuid4().hex[:10]
        values = dict(
            stage="test",
            database_url=postgres_url,
            aws_endpoint_url=moto_aws.endpoint_url,
            files_bucket=f"files-{suffix}",
            files_table=f"files-{suffix}",
            jobs_queue_name=f"jobs-{suffix}",
            jobs_dlq_name=f"jobs-dlq-{suffix}",
            webhooks_queue_name=f"webhooks-{suffix}",
            jwt_secret="test-secret-" + "x" * 40,
            bcrypt_rounds=4,
            chromium_path=default_chromium(),
        )
        values.update(overrides)
        settings = Settings(**values)
        create_resources(moto_aws, settings, visibility_timeout=60)
        return settings

    return build


@pytest.fixture
def settings(make_settings):
    return make_settings()


@pytest.fixture
def renderer_factory():
    """No browser unless a test module lends one (see test_converter_handler.py)."""
    return None


@pytest.fixture
def wired(settings, renderer_factory, postgres_owner_url):
    """The process-wide container the API and the converter use, built from these settings."""
    import psycopg2

    container = Container(settings, renderer_factory)
    with psycopg2.connect(postgres_owner_url) as conn, conn.cursor() as cur:  # TRUNCATE: the owner's right
        cur.execute("TRUNCATE users, sign_in_failures CASCADE")
    conn.close()
    reset_container(container)
    yield container
    reset_container(None)
    container.close()


@pytest.fixture
def api(wired):
    from chalice.test import Client

    import app as application

    with Client(application.app, stage_name="test") as client:
        yield client


@pytest.fixture
def http(api):
    """JSON in and out of the API, with sign-up and sign-in shortcuts."""
    from tests.support.http import JsonApi

    return JsonApi(api)


@pytest.fixture
def page_server():
    server = PageServer().start()
    yield server
    server.stop()
