"""Multipart uploads whose part headers are not UTF-8.

Browsers and tools on Chinese Windows send the file name in GB18030; Django decodes part
headers as UTF-8 only and silently drops a part it cannot decode, so the upload "vanishes"
("没有提交任何文件。"). This handler re-encodes such headers to UTF-8 on the way in (streaming:
file bodies pass through untouched) and lets Django parse the result as usual.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser

CHUNK_BYTES = 64 * 1024
MAX_HEADER_BYTES = 8 * 1024  # Django's own limit for one part's headers is smaller


def utf8_header_block(block: bytes) -> bytes:
    lines = []
    for line in block.split(b"\r\n"):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            line = line.decode("gb18030", errors="replace").encode("utf-8")
        lines.append(line)
    return b"\r\n".join(lines)


class PartHeadersAsUTF8:
    """A file-like view of a multipart body in which every part's header block is UTF-8."""

    def __init__(self, stream, boundary: bytes):
        self.stream, self.delimiter = stream, b"--" + boundary
        self.pending = b""  # read, not yet rewritten
        self.ready = b""  # rewritten, not yet returned
        self.eof = False

    def read(self, size: int = -1) -> bytes:
        while not self.eof and (size is None or size < 0 or len(self.ready) < size):
            self._pump()
        if size is None or size < 0:
            size = len(self.ready)
        data, self.ready = self.ready[:size], self.ready[size:]
        return data

    def _pump(self) -> None:
        chunk = self.stream.read(CHUNK_BYTES)
        self.eof = not chunk
        self.pending += chunk
        while True:
            at = self.pending.find(self.delimiter)
            if at < 0:
                # Keep a tail that could be the start of a delimiter cut by the chunk boundary.
                safe = len(self.pending) if self.eof else max(0, len(self.pending) - len(self.delimiter))
                self.ready, self.pending = self.ready + self.pending[:safe], self.pending[safe:]
                return
            end = self.pending.find(b"\r\n\r\n", at)
            if end < 0 and not self.eof and len(self.pending) - at < MAX_HEADER_BYTES:
                self.ready, self.pending = self.ready + self.pending[:at], self.pending[at:]
                return  # the rest of this part's headers is still to come
            end = len(self.pending) if end < 0 else end
            self.ready += self.pending[:at] + utf8_header_block(self.pending[at:end])
            self.pending = self.pending[end:]
            if not self.pending.startswith(b"\r\n\r\n"):
                return
            self.ready, self.pending = self.ready + b"\r\n\r\n", self.pending[4:]


class PartHeadersUTF8Handler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: parses the rewritten body with the handlers after it."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        others = [handler for handler in self.request.upload_handlers if handler is not self]
        return MultiPartParser(META, PartHeadersAsUTF8(input_data, boundary), others, encoding).parse()

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
