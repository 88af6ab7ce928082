"""What a job produces: a PDF (the default) or a screenshot, each with its file extension and content type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Output:
    extension: str
    content_type: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


OUTPUTS: dict[str, Output] = {
    "pdf": Output("pdf", "application/pdf"),
    "png": Output("png", "image/png"),
    "jpeg": Output("jpg", "image/jpeg"),
    "webp": Output("webp", "image/webp"),
}
#: Outputs whose ``quality`` can be chosen (lossy formats).
LOSSY = ("jpeg", "webp")
_BY_EXTENSION = {output.extension: output for output in OUTPUTS.values()}


def content_type_for(filename: str) -> str:
    """The content type a download named ``filename`` is served with (a PDF unless it says otherwise)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _BY_EXTENSION.get(extension, OUTPUTS["pdf"]).content_type
