"""The API reference page at /api/docs: api/openapi.yaml rendered to plain HTML on our side.

No script and nothing from a CDN: the page is built from the contract that ships in the
package, so it always matches the API that serves it, and its CSP can forbid everything else.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path
from typing import Any

import yaml

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
METHODS = ("get", "post", "put", "patch", "delete")
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
code, pre { font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
pre { background: #f5f5f5; padding: .6rem .8rem; overflow-x: auto; white-space: pre-wrap; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; } h3 { margin: 1.6rem 0 .3rem; }
.method { display: inline-block; min-width: 4.2rem; font-weight: 700; }
.get { color: #0a6b2d; } .post { color: #0b57a4; } .delete { color: #a4260b; }
table { border-collapse: collapse; margin: .4rem 0; } td, th { border: 1px solid #ddd; padding: .25rem .5rem;
  text-align: left; vertical-align: top; }
nav li { list-style: none; } nav ul { padding-left: 0; }
@media (prefers-color-scheme: dark) { body { background: #141414; color: #e8e8e8; } pre { background: #222; }
  .get { color: #6fd08f; } .post { color: #7bb6f0; } .delete { color: #f08c73; } td, th { border-color: #444; } }
"""


@functools.lru_cache(maxsize=1)
def spec_text() -> str:
    return SPEC_PATH.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def reference_page() -> str:
    spec = yaml.safe_load(spec_text())
    base = spec.get("servers", [{}])[0].get("url", "")
    operations = [
        (path, method, item[method]) for path, item in spec["paths"].items() for method in METHODS if method in item
    ]
    nav = "".join(
        f'<li><a href="#{_anchor(op)}"><span class="method {m}">{m.upper()}</span><code>{_e(base + p)}</code></a></li>'
        for p, m, op in operations
    )
    body = "".join(_operation(spec, base, path, method, op) for path, method, op in operations)
    info = spec["info"]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(info["title"])} reference</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>'
        f"<body><h1>{_e(info['title'])} <small>{_e(info['version'])}</small></h1>"
        f"<p>{_e(info.get('description', ''))}</p>"
        f'<p>The machine-readable contract: <a href="{_e(base)}/openapi.yaml"><code>{_e(base)}/openapi.yaml'
        f"</code></a>.</p><nav><h2>Operations</h2><ul>{nav}</ul></nav>{body}</body></html>"
    )


def _operation(spec: dict, base: str, path: str, method: str, op: dict) -> str:
    parts = [
        f'<h3 id="{_anchor(op)}"><span class="method {method}">{method.upper()}</span>'
        f"<code>{_e(base + path)}</code></h3><p>{_e(op.get('summary', ''))}</p>"
    ]
    parts.append("<p><em>No authentication.</em></p>" if op.get("security") == [] else "")
    params = [_resolve(spec, p) for p in spec["paths"][path].get("parameters", []) + op.get("parameters", [])]
    if params:
        rows = "".join(
            f"<tr><td><code>{_e(p['name'])}</code></td><td>{_e(p['in'])}</td>"
            f"<td>{'required' if p.get('required') else ''}</td>"
            f"<td>{_e(p.get('description', ''))}</td></tr>"
            for p in params
        )
        parts.append(f"<table><tr><th>parameter</th><th>in</th><th></th><th></th></tr>{rows}</table>")
    request_body = _resolve(spec, op.get("requestBody", {}))
    if request_body:
        parts.append(f"<p>{_e(request_body.get('description', ''))}</p>")
        for media, content in request_body.get("content", {}).items():
            parts.append(f"<p>Body ({_e(media)}):</p><pre>{_e(_shape(spec, content.get('schema', {})))}</pre>")
    rows = "".join(
        f"<tr><td>{_e(status)}</td><td>{_e(_resolve(spec, answer).get('description', ''))}</td></tr>"
        for status, answer in op.get("responses", {}).items()
    )
    parts.append(f"<table><tr><th>status</th><th>meaning</th></tr>{rows}</table>")
    return "".join(parts)


def _shape(spec: dict, schema: dict, depth: int = 0) -> str:
    """A schema as a short, readable outline."""
    schema = _resolve(spec, schema)
    if depth > 4:
        return "…"
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            part = _resolve(spec, part)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
            merged.setdefault("description", part.get("description"))
        schema = merged if merged["properties"] else _resolve(spec, schema["allOf"][0])
    if schema.get("type") == "object" or "properties" in schema:
        required = set(schema.get("required", []))
        lines = []
        for name, sub in schema.get("properties", {}).items():
            sub_text = _shape(spec, sub, depth + 1).replace("\n", "\n  ")
            lines.append(f"  {name}{'' if name in required else '?'}: {sub_text}")
        for choice in schema.get("oneOf", []):
            lines.append(f"  (exactly one of: {', '.join(choice.get('required', []))})")
        return "{\n" + "\n".join(lines) + "\n}"
    if schema.get("type") == "array":
        return f"[{_shape(spec, schema.get('items', {}), depth + 1)}]"
    text = schema.get("type", "any")
    if "enum" in schema:
        text = " | ".join(str(v) for v in schema["enum"])
    if schema.get("nullable"):
        text += " | null"
    if schema.get("description"):
        text += f"  — {' '.join(schema['description'].split())}"
    return text


def _resolve(spec: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _anchor(op: dict) -> str:
    return _e(op.get("operationId", ""))


def _e(value: Any) -> str:
    return html.escape(str(value))
