"""Issue 22.6: a file name sent in GB18030 (Chinese Windows) does not make the upload vanish."""

import io
from pathlib import Path

import pytest

from ingestion.models import IngestionRun, RunSource
from socialmetrics import uploads
from tests.api.conftest import key_client
from tests.factories import SocialAccountFactory

DAILY = (Path(__file__).parent.parent / "fixtures" / "imports" / "daily.csv").read_bytes()
NAME = "十月数据.csv"
BOUNDARY = "----smBoundary7MA4YWxkTrZu0gW"


def multipart(fields: dict, file_name_bytes: bytes, content: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + file_name_bytes
        + b'"\r\nContent-Type: text/csv\r\n\r\n'
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_api_import_accepts_the_file_whatever_the_name_encoding(encoding, imports_inline):
    account = SocialAccountFactory()
    body = multipart({"kind": "daily_csv"}, NAME.encode(encoding), DAILY)
    response = key_client(account.organization).generic(
        "POST", f"/api/v1/accounts/{account.pk}/imports/?wait=5", body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 201, response.content.decode()
    run = IngestionRun.objects.get(account=account, source=RunSource.FILE)
    assert NAME in (run.file_name, *response.json().values())


@pytest.mark.parametrize("chunk", [1, 7, 64, 64 * 1024])
def test_the_rewrite_streams_with_any_chunk_size_and_leaves_bodies_alone(monkeypatch, chunk):
    monkeypatch.setattr(uploads, "CHUNK_BYTES", chunk)
    content = DAILY + b"\xb2\xe2\xca\xd4 body bytes are not headers: left as they are"
    body = multipart({"kind": "daily_csv"}, NAME.encode("gb18030"), content)
    rewritten = uploads.PartHeadersAsUTF8(io.BytesIO(body), BOUNDARY.encode()).read()
    assert rewritten == multipart({"kind": "daily_csv"}, NAME.encode("utf-8"), content)
    untouched = multipart({"kind": "daily_csv"}, NAME.encode("utf-8"), content)
    assert uploads.PartHeadersAsUTF8(io.BytesIO(untouched), BOUNDARY.encode()).read() == untouched
