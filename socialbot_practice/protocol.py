"""Plain request/reply objects, so endpoint handlers never touch ``http.server`` directly.

Handlers get a parsed :class:`Request` and return a :class:`Reply`; that keeps them testable
and keeps the socket-level fault tricks (drop, sleep) in one place, ``server.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qsl

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart/form-data body."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Request:
    """An HTTP request already split into platform, endpoint and parameters."""

    method: str
    platform: str
    endpoint: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    client_ip: str
    _form: tuple[dict[str, str], dict[str, UploadedFile]] | None = field(default=None, repr=False)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def text(self) -> str:
        """The body as UTF-8 text; raises ``UnicodeDecodeError`` like a strict platform would."""
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """The body parsed as UTF-8 JSON (``ValueError`` when it is not)."""
        return json.loads(self.text()) if self.body.strip() else {}

    def form(self) -> tuple[dict[str, str], dict[str, UploadedFile]]:
        """Form fields and files from an urlencoded or multipart body (parsed once)."""
        if self._form is None:
            self._form = parse_form(self.content_type, self.body)
        return self._form

    def param(self, name: str) -> str:
        """A parameter from the query string or the form body, query first."""
        if name in self.query:
            return self.query[name]
        return self.form()[0].get(name, "")


@dataclass
class Reply:
    """What to send back: status, content type, body bytes."""

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Reply:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return cls(status, body.encode("utf-8"))

    @classmethod
    def html(cls, text: str, status: int = 200) -> Reply:
        return cls(status, text.encode("utf-8"), HTML_TYPE)


def parse_form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split a form body into text fields and uploaded files."""
    header = Message()
    header["content-type"] = content_type or "application/octet-stream"
    if header.get_content_type() == "multipart/form-data":
        boundary = header.get_param("boundary")
        if not isinstance(boundary, str) or not boundary:
            return {}, {}
        return _parse_multipart(body, boundary.encode("latin-1"))
    if header.get_content_type() == "application/x-www-form-urlencoded" or not content_type:
        text = body.decode("utf-8", errors="replace")
        return dict(parse_qsl(text, keep_blank_values=True)), {}
    return {}, {}


def _parse_multipart(
    body: bytes, boundary: bytes
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    # Every delimiter is CRLF--boundary; the first one may lack the CRLF.
    sections = (b"\r\n" + body).split(b"\r\n--" + boundary)
    for section in sections[1:]:
        if section.startswith(b"--"):
            break
        head, sep, data = section.partition(b"\r\n\r\n")
        if not sep:
            continue
        part = Message()
        for line in head.decode("utf-8", errors="replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                part[name.strip()] = value.strip()
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = part.get_param("filename", header="content-disposition")
        if isinstance(filename, str):
            content_type = part.get("content-type", "application/octet-stream")
            files.setdefault(name, UploadedFile(name, filename, content_type, data))
        else:
            fields[name] = data.decode("utf-8", errors="replace")
    return fields, files
