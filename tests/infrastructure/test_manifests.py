"""The deployment manifests say what the design says.

ack-manifests/ is only ever read by kustomize and Argo CD; these tests render
each overlay with tests/support/kustomize.py (a pure-Python subset, as CI has no
kubectl), and check it against `kubectl kustomize` where kubectl is installed.

What is checked, and why:
- every YAML file parses; every path a kustomization names exists; every patch
  targets a resource base/ defines (a typo would otherwise create nothing);
- each overlay renders the kinds we expect and no base placeholder survives
  (account 000000000000, names "pagepress-base-*", region us-east-1);
- every ARN in an overlay names that overlay's account and region;
- the SQS -> Lambda pipeline (security-checklist.md section 3): visibility
  timeout >= 6 x the consuming Function's timeout, ReportBatchItemFailures on
  every event source mapping, a redrive policy to the DLQ with
  maxReceiveCount >= 5, standard (not FIFO) encrypted queues;
- IAM (original-app.md defect 8): no wildcard action anywhere and no "*"
  resource, with the exceptions listed in WILDCARD_RESOURCE_EXCEPTIONS; each
  role grants exactly the actions its Function needs;
- the bucket blocks public access, is encrypted, refuses plain HTTP and never
  expires a current PDF (the index keeps it `ready` until its owner deletes it);
- the API routes equal the paths of api/openapi.yaml;
- Functions read only environment variables chalicelib/config.py knows;
- Argo CD has a health check for every ACK kind we use.
(The workflows are checked in test_workflows.py, CRD field names in test_crds.py.)
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess

import pytest
import yaml

from tests.support.kustomize import key, kustomization, load_docs, render
from tests.support.manifests import BASE, MANIFESTS, OVERLAYS, of_kind, one, overlay_account_region
from tests.support.paths import REPO

ROOT = REPO
OPENAPI = ROOT / "api" / "openapi.yaml"
CONFIG_PY = ROOT / "chalicelib" / "config.py"

# The account placeholder as a whole number: the all-zero digests and commit
# keys an overlay carries until its first release are longer runs of zeros.
BASE_PLACEHOLDERS = (r"(?<!\d)000000000000(?!\d)", r"pagepress-base-", r"us-east-1", r"base\.example\.com")

# The only IAM statements allowed a "*" resource. A Lambda function attached to
# a VPC needs these EC2 actions to manage its network interfaces, and EC2 does
# not support resource-level permissions for them (they are exactly the
# actions of the AWS managed policy AWSLambdaVPCAccessExecutionRole). Only the
# API Function runs in a VPC. X-Ray's two write actions have no resource-level
# permissions either, and every Function traces (tracingConfig Active).
TRACING_ACTIONS = frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"})
VPC_NETWORK_INTERFACE_ACTIONS = frozenset(
    {
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    }
)
WILDCARD_RESOURCE_EXCEPTIONS = VPC_NETWORK_INTERFACE_ACTIONS | TRACING_ACTIONS

# A "*" INSIDE a resource ARN is allowed only where it scopes down, never up:
# objects under users/ in our bucket, and the log streams of one log group.
SCOPED_WILDCARD_RESOURCES = (
    re.compile(r"^arn:aws:s3:::[a-z0-9.-]+/users/\*$"),
    re.compile(r"^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:/aws/lambda/[A-Za-z0-9_-]+:\*$"),
    # KMS keys, only in a statement narrowed to one alias (test_kms_grants_name_one_key_and_its_context).
    re.compile(r"^arn:aws:kms:[a-z0-9-]+:\d{12}:key/\*$"),
)

# Exactly what each Function may do (the brief, plus GetQueueAttributes on the
# queue an event source mapping reads, which Lambda's poller requires).
EXPECTED_ACTIONS = {
    # Migrations: the owner's and the API's database secrets (it sets the API user's password).
    "pagepress-migrate": {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "secretsmanager:GetSecretValue",
    }
    | VPC_NETWORK_INTERFACE_ACTIONS
    | TRACING_ACTIONS,
    "pagepress-api": {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",  # DELETE /me erases the account's partition
        "dynamodb:ConditionCheckItem",
        "dynamodb:DescribeTable",  # the /health ping of the index
        "s3:PutObject",  # the HTML or Markdown a user sent, stored beside its PDF
        "s3:GetObject",
        "s3:DeleteObject",  # also DeleteObjects, when DELETE /me erases users/<id>/
        "s3:ListBucket",  # HeadBucket, the /health ping of the bucket; listing users/<id>/ for DELETE /me
        "sqs:SendMessage",
        "sqs:GetQueueUrl",
        "sqs:GetQueueAttributes",
        "ssm:GetParameter",
        "secretsmanager:GetSecretValue",
        "kms:Encrypt",  # sealing a job's headers and cookies
    }
    | VPC_NETWORK_INTERFACE_ACTIONS
    | TRACING_ACTIONS,
    "pagepress-converter": {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "s3:PutObject",
        "s3:GetObject",  # the HTML a user sent, to render
        "s3:DeleteObject",  # the PDF of an entry deleted while it rendered
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",  # a transient failure's retry, after its backoff
        "sqs:SendMessage",
        "sqs:GetQueueUrl",  # announcing an ended job to the webhooks queue; the jobs queue's own URL
        "kms:Decrypt",  # opening a job's headers and cookies for its render
    }
    | TRACING_ACTIONS,
    "pagepress-dead-letter": {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:SendMessage",
        "sqs:GetQueueUrl",  # announcing a job it failed
    }
    | TRACING_ACTIONS,
    "pagepress-webhooks": {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:PutItem",  # the account's webhook secret, made on first use
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:SendMessage",
        "sqs:GetQueueUrl",  # the next attempt, delayed
    }
    | TRACING_ACTIONS,
}

EXPECTED_KINDS = {
    "Queue",
    "Table",
    "Bucket",
    "Policy",
    "Role",
    "Function",
    "Alias",
    "EventSourceMapping",
    "API",
    "Integration",
    "Route",
    "Stage",
    "ConfigMap",
    "Deployment",
    "Service",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Ingress",
    "Certificate",
    "ServiceAccount",
    "Job",
    "LogGroup",
    "Topic",
    "Subscription",
    "MetricAlarm",
    "Key",
}


@pytest.fixture(scope="module", params=("base",) + OVERLAYS)
def rendered(request) -> tuple[str, list[dict]]:
    directory = BASE if request.param == "base" else MANIFESTS / "overlays" / request.param
    return request.param, render(directory)


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request) -> tuple[str, list[dict]]:
    return request.param, render(MANIFESTS / "overlays" / request.param)


# --------------------------------------------------------------------------
# Files and kustomizations
# --------------------------------------------------------------------------
ALL_YAML = sorted([p for p in MANIFESTS.rglob("*.y*ml")] + [p for p in (ROOT / ".github").rglob("*.y*ml")])


@pytest.mark.parametrize("path", ALL_YAML, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_parses(path):
    docs = load_docs(path)
    assert docs, f"{path} is empty"
    for d in docs:
        assert isinstance(d, dict), f"{path}: a document is not a mapping"


def test_there_is_a_base_two_overlays_and_argocd():
    assert (BASE / "kustomization.yaml").is_file()
    for env in OVERLAYS:
        assert (MANIFESTS / "overlays" / env / "kustomization.yaml").is_file()
    assert (MANIFESTS / "argocd" / "applications.yaml").is_file()
    assert (MANIFESTS / "README.md").is_file()


@pytest.mark.skipif(
    shutil.which("kubectl") is None, reason="kubectl is not installed (CI renders with the subset alone)"
)
@pytest.mark.parametrize("directory", ["base", *OVERLAYS])
def test_the_test_renderer_renders_what_kubectl_kustomize_renders(directory: str) -> None:
    path = BASE if directory == "base" else MANIFESTS / "overlays" / directory
    result = subprocess.run(["kubectl", "kustomize", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    by_kustomize = {key(d): d for d in yaml.safe_load_all(result.stdout) if d}
    assert {key(d): d for d in render(path)} == by_kustomize


@pytest.mark.parametrize("path", sorted(MANIFESTS.rglob("kustomization.yaml")), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_a_kustomization_names_exists(path):
    k = load_docs(path)[0]
    for entry in k.get("resources", []):
        assert (path.parent / entry).exists(), f"{path}: resource {entry} is missing"
    for entry in k.get("patches", []):
        assert (path.parent / entry["path"]).is_file(), f"{path}: patch {entry['path']} is missing"


def test_overlays_render_the_same_resources_as_base_with_the_expected_kinds(overlay):
    env, docs = overlay
    base_keys = {key(d) for d in render(BASE)}
    assert {key(d) for d in docs} == base_keys
    assert {d["kind"] for d in docs} == EXPECTED_KINDS
    assert {d["metadata"]["namespace"] for d in docs} == {f"pagepress-{env}"}


def test_no_base_placeholder_survives_in_an_overlay(overlay):
    env, docs = overlay
    text = yaml.safe_dump_all(docs)
    for placeholder in BASE_PLACEHOLDERS:
        found = re.search(placeholder, text)
        assert not found, f"{env}: {found.group(0)!r} left over from base"


def test_every_arn_in_an_overlay_names_its_account_and_region(overlay):
    env, docs = overlay
    account, region = overlay_account_region(env)
    text = yaml.safe_dump_all(docs)
    arns = re.findall(r"arn:aws:([a-z0-9-]+):([a-z0-9-]*):(\d*):", text)
    assert arns
    for service, arn_region, arn_account in arns:
        if service == "s3":  # S3 ARNs carry neither
            assert (arn_region, arn_account) == ("", "")
            continue
        if service == "iam":  # global: an account, no region (the migrate Job's IRSA role and OIDC provider)
            assert (arn_region, arn_account) == ("", account), f"{env}: an iam ARN names account {arn_account}"
            continue
        assert arn_account == account, f"{env}: an {service} ARN names account {arn_account}"
        assert arn_region == region, f"{env}: an {service} ARN names region {arn_region}"
    for d in docs:
        assert d["metadata"]["annotations"]["services.k8s.aws/region"] == region
    for image in re.findall(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com", text):
        assert image == (account, region)


def test_aws_names_carry_the_environment(overlay):
    env, docs = overlay
    names = [d["spec"]["queueName"] for d in of_kind(docs, "Queue")]
    names += [d["spec"]["tableName"] for d in of_kind(docs, "Table")]
    names += [d["spec"]["name"] for d in docs if d["kind"] in {"Bucket", "Policy", "Role", "Function", "API"}]
    for name in names:
        assert name.startswith(f"pagepress-{env}-"), name


# --------------------------------------------------------------------------
# SQS -> Lambda (security-checklist.md section 3)
# --------------------------------------------------------------------------
def queue_by_arn(docs, arn: str) -> dict:
    name = arn.rsplit(":", 1)[1]
    return next(q for q in of_kind(docs, "Queue") if q["spec"]["queueName"] == name)


def consumer(docs, esm: dict) -> dict:
    return one(docs, "Function", esm["spec"]["functionRef"]["from"]["name"])


def test_each_queue_visibility_timeout_is_at_least_six_times_its_consumer_timeout(rendered):
    _, docs = rendered
    esms = of_kind(docs, "EventSourceMapping")
    assert len(esms) == 3
    for esm in esms:
        queue = queue_by_arn(docs, esm["spec"]["eventSourceARN"])
        function = consumer(docs, esm)
        visibility = int(queue["spec"]["visibilityTimeout"])
        assert visibility >= 6 * function["spec"]["timeout"], (
            f"{queue['metadata']['name']}: visibility {visibility} s < 6 x "
            f"{function['metadata']['name']} timeout {function['spec']['timeout']} s"
        )


def test_converter_reads_the_jobs_queue_and_the_dead_letter_consumer_the_dlq(rendered):
    _, docs = rendered
    by_function = {
        consumer(docs, e)["metadata"]["name"]: queue_by_arn(docs, e["spec"]["eventSourceARN"])["metadata"]["name"]
        for e in of_kind(docs, "EventSourceMapping")
    }
    assert by_function == {
        "pagepress-converter": "pagepress-jobs",
        "pagepress-dead-letter": "pagepress-jobs-dlq",
        "pagepress-webhooks": "pagepress-webhooks",
    }


def test_every_event_source_mapping_reports_batch_item_failures(rendered):
    _, docs = rendered
    for esm in of_kind(docs, "EventSourceMapping"):
        spec = esm["spec"]
        assert spec["functionResponseTypes"] == ["ReportBatchItemFailures"], esm["metadata"]["name"]
        assert 1 <= spec["batchSize"] <= 10
        assert "maximumBatchingWindowInSeconds" in spec
        assert spec["scalingConfig"]["maximumConcurrency"] >= 2  # the SQS minimum
        assert spec.get("enabled", True) is True


def test_the_converter_takes_as_many_jobs_per_invocation_as_it_renders_at_once_without_waiting(rendered):
    """A batch larger than the render concurrency would fail its extra records as busy; a smaller
    one leaves render slots idle; a batching window would hold a lone job back."""
    from chalicelib.capacity import auto_render_concurrency, lambda_capacity

    _, docs = rendered
    converter = one(docs, "Function", "pagepress-converter")["spec"]
    esm = next(
        e["spec"]
        for e in of_kind(docs, "EventSourceMapping")
        if consumer(docs, e)["metadata"]["name"] == "pagepress-converter"
    )
    variables = converter["environment"]["variables"]
    concurrency = (
        int(variables["RENDER_CONCURRENCY"])
        if "RENDER_CONCURRENCY" in variables
        else auto_render_concurrency(*lambda_capacity(converter["memorySize"]))
    )
    assert esm["batchSize"] == concurrency
    assert esm["maximumBatchingWindowInSeconds"] == 0


def test_jobs_queue_redrives_to_the_dlq_after_at_least_five_receives(rendered):
    _, docs = rendered
    jobs = one(docs, "Queue", "pagepress-jobs")
    dlq = one(docs, "Queue", "pagepress-jobs-dlq")
    policy = json.loads(jobs["spec"]["redrivePolicy"])
    assert policy["deadLetterTargetArn"].startswith("arn:aws:sqs:")
    assert policy["deadLetterTargetArn"].endswith(":" + dlq["spec"]["queueName"])
    assert jobs["spec"]["redrivePolicy"].count(":") >= 5
    assert int(policy["maxReceiveCount"]) >= 5
    # The Functions are told the same number (JOBS_MAX_RECEIVE_COUNT).
    for function in of_kind(docs, "Function"):
        if function["metadata"]["name"] == "pagepress-migrate":  # the database only, no queue
            continue
        variables = function["spec"]["environment"]["variables"]
        assert int(variables["JOBS_MAX_RECEIVE_COUNT"]) == int(policy["maxReceiveCount"])
        assert variables["JOBS_QUEUE"] == jobs["spec"]["queueName"]
        assert variables["JOBS_DLQ"] == dlq["spec"]["queueName"]


def test_queues_are_standard_encrypted_and_string_typed(rendered):
    _, docs = rendered
    for q in of_kind(docs, "Queue"):
        spec = q["spec"]
        assert spec.get("fifoQueue", "false") == "false", "one FIFO group serialises everybody (defect 5)"
        assert spec.get("sqsManagedSSEEnabled") == "true" or spec.get("kmsMasterKeyID")
        for field, value in spec.items():
            if field not in {"tags", "policyRef", "kmsMasterKeyRef"}:
                assert isinstance(value, str), f"{q['metadata']['name']}.{field}: SQS attributes are strings"


# --------------------------------------------------------------------------
# IAM (original-app.md defect 8)
# --------------------------------------------------------------------------
def policy_documents(docs) -> list[tuple[str, dict]]:
    out = [(p["metadata"]["name"], json.loads(p["spec"]["policyDocument"])) for p in of_kind(docs, "Policy")]
    for role in of_kind(docs, "Role"):
        for pname, text in (role["spec"].get("inlinePolicies") or {}).items():
            out.append((f"{role['metadata']['name']}/{pname}", json.loads(text)))
    return out


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_no_iam_statement_has_a_wildcard_action_or_an_unscoped_resource(rendered):
    _, docs = rendered
    documents = policy_documents(docs)
    assert documents
    for name, document in documents:
        for statement in document["Statement"]:
            assert "NotAction" not in statement and "NotResource" not in statement, name
            if statement["Effect"] != "Allow":
                continue
            actions = as_list(statement["Action"])
            for action in actions:
                assert "*" not in action, f"{name}: wildcard action {action!r}"
            for resource in as_list(statement["Resource"]):
                if resource == "*":
                    extra = set(actions) - WILDCARD_RESOURCE_EXCEPTIONS
                    assert not extra, f"{name}: {sorted(extra)} on Resource '*'"
                elif "*" in resource:
                    assert any(p.match(resource) for p in SCOPED_WILDCARD_RESOURCES), (
                        f"{name}: wildcard resource {resource!r}"
                    )


def test_each_role_grants_exactly_what_its_function_needs(rendered):
    _, docs = rendered
    documents = dict(policy_documents(docs))
    for function in of_kind(docs, "Function"):
        role = one(docs, "Role", function["spec"]["roleRef"]["from"]["name"])
        granted = set()
        for ref in role["spec"]["policyRefs"]:
            for statement in documents[ref["from"]["name"]]["Statement"]:
                if statement["Effect"] == "Allow":
                    granted |= set(as_list(statement["Action"]))
        assert granted == EXPECTED_ACTIONS[function["metadata"]["name"]], function["metadata"]["name"]
        trust = json.loads(role["spec"]["assumeRolePolicyDocument"])
        principals = {s["Principal"]["Service"] for s in trust["Statement"]}
        assert principals == {"lambda.amazonaws.com"}


def test_kms_grants_name_one_key_and_its_context(rendered):
    """The credentials key: encrypt for the API, decrypt for the converter, each only through the
    overlay's alias (the one the Functions are given) and only with the job's encryption context."""
    _, docs = rendered
    alias = one(docs, "Alias", "pagepress-job-credentials")
    assert (
        alias["apiVersion"].startswith("kms.")
        and alias["spec"]["targetKeyRef"]["from"]["name"]
        == (one(docs, "Key", "pagepress-job-credentials")["metadata"]["name"])
    )
    key = one(docs, "Key", "pagepress-job-credentials")["spec"]
    assert key["keyUsage"] == "ENCRYPT_DECRYPT" and key["enableKeyRotation"] is True
    for function in ("pagepress-api", "pagepress-converter"):
        variables = one(docs, "Function", function)["spec"]["environment"]["variables"]
        assert variables["CREDENTIALS_KMS_KEY_ID"] == alias["spec"]["name"]
    for name, document in policy_documents(docs):
        for statement in document["Statement"]:
            if not any(a.startswith("kms:") for a in as_list(statement["Action"])):
                continue
            condition = statement["Condition"]
            assert condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"] == [alias["spec"]["name"]], name
            assert condition["ForAllValues:StringEquals"]["kms:EncryptionContextKeys"] == ["user_id", "file_id"]
            assert condition["Null"]["kms:EncryptionContextKeys"] == "false"


# Bucket-level actions allowed on the bucket ARN itself: HeadBucket (the /health
# ping) is authorised as s3:ListBucket. Every object action stops at users/*.
BUCKET_LEVEL_ACTIONS = frozenset({"s3:ListBucket"})


def test_object_permissions_stop_at_the_users_prefix_of_our_bucket(rendered):
    _, docs = rendered
    bucket = one(docs, "Bucket", "pagepress-files")["spec"]["name"]
    table = one(docs, "Table", "pagepress-files")["spec"]["tableName"]
    for name, document in policy_documents(docs):
        for statement in document["Statement"]:
            for resource in as_list(statement["Resource"]):
                if resource.startswith("arn:aws:s3:::"):
                    if resource == f"arn:aws:s3:::{bucket}":
                        extra = set(as_list(statement["Action"])) - BUCKET_LEVEL_ACTIONS
                        assert not extra, f"{name}: {sorted(extra)} on the bucket itself"
                    else:
                        assert resource == f"arn:aws:s3:::{bucket}/users/*", f"{name}: {resource}"
                if resource.startswith("arn:aws:dynamodb:"):
                    assert resource.endswith(f":table/{table}"), f"{name}: {resource}"


# --------------------------------------------------------------------------
# Storage
# --------------------------------------------------------------------------
def test_bucket_blocks_public_access_is_encrypted_and_refuses_plain_http(rendered):
    _, docs = rendered
    spec = one(docs, "Bucket", "pagepress-files")["spec"]
    assert spec["publicAccessBlock"] == {
        "blockPublicACLs": True,
        "ignorePublicACLs": True,
        "blockPublicPolicy": True,
        "restrictPublicBuckets": True,
    }
    rules = spec["encryption"]["rules"]
    assert rules and all(
        r["applyServerSideEncryptionByDefault"]["sseAlgorithm"] in {"AES256", "aws:kms"} for r in rules
    )
    assert spec["ownershipControls"]["rules"] == [{"objectOwnership": "BucketOwnerEnforced"}]
    assert "acl" not in spec and not any(k.startswith("grant") for k in spec)
    policy = json.loads(spec["policy"])
    deny_plain_http = [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
    ]
    assert deny_plain_http
    assert set(deny_plain_http[0]["Resource"]) == {f"arn:aws:s3:::{spec['name']}", f"arn:aws:s3:::{spec['name']}/*"}
    assert not [s for s in policy["Statement"] if s["Effect"] == "Allow"], "the bucket policy grants nothing"


def test_bucket_lifecycle_never_expires_a_current_pdf(rendered):
    """A PDF lives until its owner deletes it: the index keeps its entry `ready` until
    then, so an expiring object would turn a listed file's download into a 404."""
    _, docs = rendered
    rules = one(docs, "Bucket", "pagepress-files")["spec"].get("lifecycle", {}).get("rules", [])
    for rule in rules:
        assert "expiration" not in rule, f"lifecycle rule {rule.get('id')!r} expires current objects"
        assert "transitions" not in rule and "transition" not in rule, rule.get("id")
    assert any(r.get("abortIncompleteMultipartUpload") for r in rules if r["status"] == "Enabled")


def test_table_is_on_demand_keyed_by_user_and_sort_key_with_ttl_pitr_and_sse(rendered):
    _, docs = rendered
    spec = one(docs, "Table", "pagepress-files")["spec"]
    assert spec["billingMode"] == "PAY_PER_REQUEST"
    assert "provisionedThroughput" not in spec
    assert spec["keySchema"] == [
        {"attributeName": "user_id", "keyType": "HASH"},
        {"attributeName": "sk", "keyType": "RANGE"},
    ]
    assert {(a["attributeName"], a["attributeType"]) for a in spec["attributeDefinitions"]} == {
        ("user_id", "S"),
        ("sk", "S"),
    }
    assert spec["timeToLive"] == {"attributeName": "expires_at", "enabled": True}
    assert spec["continuousBackups"]["pointInTimeRecoveryEnabled"] is True
    assert spec["sseSpecification"]["enabled"] is True


def test_prod_keeps_its_data_when_the_resources_go_away():
    docs = render(MANIFESTS / "overlays" / "prod")
    for kind in ("Table", "Bucket"):
        meta = one(docs, kind, "pagepress-files")["metadata"]
        assert meta["annotations"]["services.k8s.aws/deletion-policy"] == "retain"
        assert "Prune=false" in meta["annotations"]["argocd.argoproj.io/sync-options"]
    assert one(docs, "Table", "pagepress-files")["spec"]["deletionProtectionEnabled"] is True


# --------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------
def config_variable_names() -> set[str]:
    source = CONFIG_PY.read_text()
    names = set(re.findall(r'get\(\s*"([A-Z][A-Z0-9_]*)"', source))
    names |= set(re.findall(r'_(?:int|float|bool)\(\s*env,\s*"([A-Z][A-Z0-9_]*)"', source))
    assert "FILES_BUCKET" in names, "could not read chalicelib/config.py"
    return names


def test_functions_set_only_variables_chalicelib_config_reads(rendered):
    _, docs = rendered
    known = config_variable_names()
    for function in of_kind(docs, "Function"):
        variables = set(function["spec"]["environment"]["variables"])
        assert not variables - known, (
            f"{function['metadata']['name']}: {sorted(variables - known)} unknown to config.py"
        )
        # Lambda reserves these; setting them fails the deployment.
        assert not variables & {"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME"}
        assert all(isinstance(v, str) for v in function["spec"]["environment"]["variables"].values())


def test_functions_point_at_the_table_bucket_and_queues_of_their_overlay(rendered):
    _, docs = rendered
    bucket = one(docs, "Bucket", "pagepress-files")["spec"]["name"]
    table = one(docs, "Table", "pagepress-files")["spec"]["tableName"]
    for function in of_kind(docs, "Function"):
        if function["metadata"]["name"] == "pagepress-migrate":  # the database only
            continue
        variables = function["spec"]["environment"]["variables"]
        assert variables["FILES_BUCKET"] == bucket
        assert variables["FILES_TABLE"] == table


def test_function_packaging_handlers_and_placement(rendered):
    env, docs = rendered
    api = one(docs, "Function", "pagepress-api")["spec"]
    assert api["packageType"] == "Zip" and api["handler"] == "app.app"
    assert api["runtime"].startswith("python3.")
    assert set(api["code"]) == {"s3Bucket", "s3Key", "sha256"}
    assert api["vpcConfig"]["subnetIDs"] and api["vpcConfig"]["securityGroupIDs"], "the API must reach RDS"
    assert api["timeout"] < 30, "API Gateway gives up at 30 s"
    assert api["environment"]["variables"]["JWT_SECRET_PARAMETER"].startswith("/pagepress/")

    converter = one(docs, "Function", "pagepress-converter")["spec"]
    dead_letter = one(docs, "Function", "pagepress-dead-letter")["spec"]
    webhooks = one(docs, "Function", "pagepress-webhooks")["spec"]
    for spec, handler in (
        (converter, "converter.handler.lambda_handler"),
        (dead_letter, "converter.handler.dead_letter_handler"),
        (webhooks, "converter.webhooks_handler.lambda_handler"),
    ):
        assert spec["packageType"] == "Image"
        assert spec["imageConfig"]["command"] == [handler]
        assert "@sha256:" in spec["code"]["imageURI"], "pin images by digest"
        assert "vpcConfig" not in spec, "outside any VPC (see lambda-converter.yaml)"
        assert "handler" not in spec and "runtime" not in spec
    assert converter["code"]["imageURI"] == dead_letter["code"]["imageURI"] == webhooks["code"]["imageURI"], (
        "one image, three handlers"
    )
    # One vCPU at least (1,769 MB): less slows every page for no saving (README "Converter memory size").
    assert 1769 <= converter["memorySize"] <= 3008
    assert converter["timeout"] == 120


# --------------------------------------------------------------------------
# API Gateway
# --------------------------------------------------------------------------
def openapi_route_keys() -> set[str]:
    spec = load_docs(OPENAPI)[0]
    prefix = spec["servers"][0]["url"].rstrip("/")
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    return {
        f"{method.upper()} {prefix}{path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in methods
    }


def test_api_routes_equal_the_openapi_paths(rendered):
    if not OPENAPI.is_file():
        pytest.skip("api/openapi.yaml does not exist yet (it is being written); nothing to compare with")
    _, docs = rendered
    routes = {r["spec"]["routeKey"] for r in of_kind(docs, "Route")}
    # The reference page sits beside the contract it shows, outside /api/v1.
    assert routes == openapi_route_keys() | {"GET /api/docs"}


def test_api_routes_are_explicit_templates_for_chalice(rendered):
    _, docs = rendered
    routes = of_kind(docs, "Route")
    keys = [r["spec"]["routeKey"] for r in routes]
    assert len(keys) == len(set(keys)) == len(openapi_route_keys() | {"GET /api/docs"})
    for route in routes:
        method, path = route["spec"]["routeKey"].split(" ")
        assert path.startswith("/api/v1/") or path == "/api/docs"
        assert "+}" not in path and method != "ANY", "Chalice routes on the template; no greedy proxy"
        assert route["spec"]["apiRef"]["from"]["name"] == "pagepress-api"
        assert route["spec"]["targetRef"]["from"]["name"] == "pagepress-api-lambda"


def test_integration_is_a_lambda_proxy_with_payload_1_0_to_the_live_alias(rendered):
    _, docs = rendered
    integration = one(docs, "Integration", "pagepress-api-lambda")["spec"]
    function = one(docs, "Function", "pagepress-api")["spec"]["name"]
    alias = one(docs, "Alias", "pagepress-api-live")["spec"]
    assert integration["integrationType"] == "AWS_PROXY"
    assert integration["payloadFormatVersion"] == "1.0"
    assert integration["integrationURI"].endswith(f":function:{function}:{alias['name']}")
    assert integration["timeoutInMillis"] <= 30000
    assert one(docs, "API", "pagepress-api")["spec"]["protocolType"] == "HTTP"


def test_only_api_gateway_may_invoke_the_api_alias_for_this_account(rendered):
    env, docs = rendered
    alias = one(docs, "Alias", "pagepress-api-live")["spec"]
    assert alias["functionRef"]["from"]["name"] == "pagepress-api"
    (permission,) = alias["permissions"]
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["action"] == "lambda:InvokeFunction"
    region, account = re.match(r"arn:aws:execute-api:([a-z0-9-]+):(\d{12}):", permission["sourceARN"]).groups()
    assert permission["sourceAccount"] == account
    assert permission["sourceARN"].endswith("/api/v1/*")
    if env != "base":
        assert (account, region) == overlay_account_region(env)


def test_stage_auto_deploys_and_throttles(rendered):
    _, docs = rendered
    stage = one(docs, "Stage", "pagepress-api-default")["spec"]
    assert stage["stageName"] == "$default", "a named stage would prefix every path Chalice sees"
    assert stage["autoDeploy"] is True
    assert stage["defaultRouteSettings"]["throttlingRateLimit"] > 0
    assert stage["defaultRouteSettings"]["throttlingBurstLimit"] > 0
    routes = {r["spec"]["routeKey"] for r in of_kind(docs, "Route")}
    assert set(stage.get("routeSettings", {})) <= routes


# --------------------------------------------------------------------------
# The SPA on EKS
# --------------------------------------------------------------------------
def test_frontend_deployment_is_hardened(rendered):
    _, docs = rendered
    deployment = one(docs, "Deployment", "pagepress-frontend")
    pod = deployment["spec"]["template"]["spec"]
    assert "replicas" not in deployment["spec"], "the HPA owns the count; Argo CD would reset it on every sync"
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    sc = container["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert container["ports"][0]["containerPort"] == 8080
    assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
    assert container["readinessProbe"] and container["livenessProbe"]
    assert {"configMapRef": {"name": "pagepress-frontend-config"}} in container["envFrom"]
    assert "API_ORIGIN" in one(docs, "ConfigMap", "pagepress-frontend-config")["data"]
    hpa = one(docs, "HorizontalPodAutoscaler", "pagepress-frontend")["spec"]
    assert hpa["scaleTargetRef"]["name"] == "pagepress-frontend" and hpa["minReplicas"] >= 2


def test_overlays_pin_the_frontend_image_in_their_own_registry(overlay):
    env, docs = overlay
    account, region = overlay_account_region(env)
    image = one(docs, "Deployment", "pagepress-frontend")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.startswith(f"{account}.dkr.ecr.{region}.amazonaws.com/pagepress-frontend@sha256:")


def test_one_alb_ingress_serves_the_host_over_tls_and_the_spa_pods_forward_api_to_api_gateway(rendered):
    env, docs = rendered
    assert not [d for d in docs if d["kind"] == "Service" and d["spec"].get("type") == "ExternalName"]
    (ingress,) = of_kind(docs, "Ingress")
    spec, annotations = ingress["spec"], ingress["metadata"]["annotations"]
    assert spec["ingressClassName"] == "alb", "the AWS Load Balancer Controller, not the retired ingress-nginx"
    assert not [a for a in annotations if a.startswith("nginx.ingress.kubernetes.io/")]
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert annotations["alb.ingress.kubernetes.io/target-type"] == "ip"
    assert json.loads(annotations["alb.ingress.kubernetes.io/listen-ports"]) == [{"HTTP": 80}, {"HTTPS": 443}]
    assert annotations["alb.ingress.kubernetes.io/ssl-redirect"] == "443"
    assert annotations["alb.ingress.kubernetes.io/ssl-policy"].startswith("ELBSecurityPolicy-TLS13-")
    assert annotations["alb.ingress.kubernetes.io/healthcheck-path"] == "/healthz"
    (rule,) = spec["rules"]
    host = rule["host"]
    assert spec["tls"] == [{"hosts": [host]}], "the controller finds the ACM certificate by this host"
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    assert path["backend"]["service"] == {"name": "pagepress-frontend", "port": {"name": "http"}}
    certificate = one(docs, "Certificate", "pagepress")
    assert certificate["spec"]["domainName"] == host
    wave = lambda d: int(d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])  # noqa: E731
    assert wave(ingress) > wave(certificate), "the HTTPS listener needs the issued certificate"
    (container,) = one(docs, "Deployment", "pagepress-frontend")["spec"]["template"]["spec"]["containers"]
    (upstream,) = [v["value"] for v in container["env"] if v["name"] == "API_UPSTREAM"]
    assert re.fullmatch(r"[a-z0-9-]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com", upstream)
    if env != "base":
        _, region = overlay_account_region(env)
        assert upstream.endswith(f".execute-api.{region}.amazonaws.com")
        origin = one(docs, "ConfigMap", "pagepress-frontend-config")["data"]["API_ORIGIN"]
        assert origin == f"https://{host}", "one origin: the SPA calls /api on its own host"


# --------------------------------------------------------------------------
# Log groups and alarms
# --------------------------------------------------------------------------
def test_every_function_logs_to_a_group_kept_30_days(rendered):
    _, docs = rendered
    groups = {g["spec"]["name"]: g for g in of_kind(docs, "LogGroup")}
    functions = {f["spec"]["name"] for f in of_kind(docs, "Function")}
    assert set(groups) == {f"/aws/lambda/{name}" for name in functions}
    for group in groups.values():
        assert group["spec"]["retentionDays"] == 30
        assert int(group["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) < 0, "before the Functions"


def _alarm_subjects(alarm: dict) -> set[str]:
    spec = alarm["spec"]
    dimensions = list(spec.get("dimensions", []))
    for metric in spec.get("metrics", []):
        dimensions += metric.get("metricStat", {}).get("metric", {}).get("dimensions", [])
    return {d["value"] for d in dimensions}


def test_alarms_watch_the_dlq_queue_age_converter_errors_and_api_5xx_and_notify_the_topic(rendered):
    env, docs = rendered
    alarms = {a["metadata"]["name"]: a for a in of_kind(docs, "MetricAlarm")}
    topic = one(docs, "Topic", "pagepress-alarms")["spec"]["name"]
    queues = {q["metadata"]["name"]: q["spec"]["queueName"] for q in of_kind(docs, "Queue")}
    converter = one(docs, "Function", "pagepress-converter")["spec"]["name"]
    expected = {
        "pagepress-jobs-dlq-not-empty": ("ApproximateNumberOfMessagesVisible", {queues["pagepress-jobs-dlq"]}, 0),
        "pagepress-jobs-oldest-message-age": ("ApproximateAgeOfOldestMessage", {queues["pagepress-jobs"]}, 600),
        "pagepress-converter-errors": ("Errors", {converter}, 0),
        "pagepress-api-5xx": (None, {"pending-api-id"}, 1),
    }
    assert set(alarms) == set(expected)
    for name, (metric, subjects, threshold) in expected.items():
        spec = alarms[name]["spec"]
        assert spec.get("metricName") == metric and _alarm_subjects(alarms[name]) == subjects, name
        assert spec["threshold"] == threshold and spec["comparisonOperator"] == "GreaterThanThreshold"
        assert spec["treatMissingData"] == "notBreaching"
        for actions in (spec["alarmActions"], spec["oKActions"]):
            (arn,) = actions
            assert arn.endswith(f":{topic}")
        if env != "base":
            account, region = overlay_account_region(env)
            assert spec["alarmActions"] == [f"arn:aws:sns:{region}:{account}:{topic}"]
    subscription = one(docs, "Subscription", "pagepress-alarms-oncall")["spec"]
    assert subscription["topicRef"]["from"]["name"] == "pagepress-alarms" and subscription["protocol"] == "email"


# --------------------------------------------------------------------------
# Argo CD
# --------------------------------------------------------------------------
def test_argocd_has_a_health_check_for_every_ack_kind_we_use():
    (cm,) = load_docs(MANIFESTS / "argocd" / "argocd-cm-ack-health.yaml")
    assert cm["metadata"]["name"] == "argocd-cm"
    for doc in render(BASE):
        group = doc["apiVersion"].split("/")[0]
        if not group.endswith(".services.k8s.aws"):
            continue
        lua = cm["data"].get(f"resource.customizations.health.{group}_{doc['kind']}")
        assert lua, f"no Argo CD health check for {group}/{doc['kind']}"
        assert "ACK.ResourceSynced" in lua and "ACK.Terminal" in lua and "return hs" in lua


def test_one_argocd_application_per_overlay_with_automated_prune_and_self_heal():
    apps = [d for d in load_docs(MANIFESTS / "argocd" / "applications.yaml") if d["kind"] == "Application"]
    assert sorted(a["spec"]["source"]["path"] for a in apps) == [f"ack-manifests/overlays/{e}" for e in OVERLAYS]
    for app in apps:
        env = app["spec"]["source"]["path"].rsplit("/", 1)[1]
        assert (ROOT / app["spec"]["source"]["path"] / "kustomization.yaml").is_file()
        automated = app["spec"]["syncPolicy"]["automated"]
        assert automated["prune"] is True and automated["selfHeal"] is True
        namespace = kustomization(MANIFESTS / "overlays" / env)["namespace"]
        assert app["spec"]["destination"]["namespace"] == namespace
        region = kustomization(MANIFESTS / "overlays" / env)["commonAnnotations"]["services.k8s.aws/region"]
        assert overlay_account_region(env)[1] == region


def test_the_api_holds_a_bounded_number_of_database_connections(rendered):
    """One connection per container, a reserved number of containers (README, "Database connections")."""
    _, docs = rendered
    api = next(f for f in of_kind(docs, "Function") if f["metadata"]["name"] == "pagepress-api")["spec"]
    variables = api["environment"]["variables"]
    assert variables["DATABASE_POOL_SIZE"] == "1", "a Lambda container serves one request at a time"
    assert 1 <= api["reservedConcurrentExecutions"] <= 50
    assert "DATABASE_OWNER_URL" not in variables and "DATABASE_OWNER_SECRET_ID" not in variables, "no DDL rights"


def test_migrations_run_as_their_own_step_between_the_migrate_function_and_the_api(rendered):
    """The sync's migrate Job invokes the migrate Function (the API's zip) after it is updated and
    before the API is; only that Function reads the owner's secret (README, "Database")."""
    env, docs = rendered
    wave = lambda d: int(d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])  # noqa: E731
    migrate, api = one(docs, "Function", "pagepress-migrate"), one(docs, "Function", "pagepress-api")
    assert migrate["spec"]["handler"] == "chalicelib.migrate.handler"
    assert migrate["spec"]["code"] == api["spec"]["code"] and migrate["spec"]["vpcConfig"] == api["spec"]["vpcConfig"]
    variables = migrate["spec"]["environment"]["variables"]
    assert variables["DATABASE_SECRET_ID"] == api["spec"]["environment"]["variables"]["DATABASE_SECRET_ID"]
    owner_secret = variables["DATABASE_OWNER_SECRET_ID"]
    limit = int(variables["DATABASE_APP_CONNECTION_LIMIT"])
    assert limit >= api["spec"]["reservedConcurrentExecutions"], "room for every API container"

    job = one(docs, "Job", "pagepress-migrate")
    annotations = job["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/hook"] == "Sync"
    assert wave(migrate) < wave(job) < wave(api), "migrated by this release's code, before the API runs it"
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    job_env = {v["name"]: v["value"] for v in container["env"]}
    assert job_env["MIGRATE_FUNCTION"] == migrate["spec"]["name"]
    assert "FunctionError" in container["args"][0] and "exit 1" in container["args"][0], (
        "a failed migration fails the sync"
    )
    assert job["spec"]["backoffLimit"] <= 3 and container["securityContext"]["readOnlyRootFilesystem"] is True

    account, region = overlay_account_region(env) if env != "base" else ("000000000000", "us-east-1")
    service_account = one(docs, "ServiceAccount", pod["serviceAccountName"])
    invoker = one(docs, "Role", "pagepress-migrate-invoker")["spec"]
    assert service_account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == (
        f"arn:aws:iam::{account}:role/{invoker['name']}"
    )
    trust = json.loads(invoker["assumeRolePolicyDocument"])["Statement"][0]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    (subject,) = [v for k, v in trust["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    namespace = kustomization(MANIFESTS / "overlays" / env)["namespace"] if env != "base" else "pagepress-base"
    assert subject == f"system:serviceaccount:{namespace}:{service_account['metadata']['name']}"
    (statement,) = json.loads(one(docs, "Policy", "pagepress-migrate-invoker")["spec"]["policyDocument"])["Statement"]
    assert statement["Action"] == ["lambda:InvokeFunction"]
    assert statement["Resource"] == [f"arn:aws:lambda:{region}:{account}:function:{migrate['spec']['name']}"]

    def secrets_readable(policy: str) -> list[str]:
        document = json.loads(one(docs, "Policy", policy)["spec"]["policyDocument"])
        return [
            resource.rsplit(":secret:", 1)[1]
            for s in document["Statement"]
            if "secretsmanager:GetSecretValue" in as_list(s["Action"])
            for resource in as_list(s["Resource"])
        ]

    owner_secret_name = f"{owner_secret}-AbC123"  # Secrets Manager appends six characters
    assert any(fnmatch.fnmatchcase(owner_secret_name, r) for r in secrets_readable("pagepress-migrate"))
    assert not any(fnmatch.fnmatchcase(owner_secret_name, r) for r in secrets_readable("pagepress-api")), (
        "the API must not read the schema owner's credentials"
    )
