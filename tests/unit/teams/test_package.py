"""`cachewarden teams-package`: a manifest Teams accepts, the bot's commands, two icons."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from bot.cli import main
from bot.teams.commands import MANIFEST_COMMANDS
from bot.teams.package import (
    MANIFEST_VERSION,
    ManifestError,
    PackageOptions,
    build_manifest,
    manifest_problems,
    write_package,
)

APP = "11111111-2222-3333-4444-555555555555"
BOT = "66666666-7777-8888-9999-000000000000"
OPTIONS = PackageOptions(
    app_id=APP,
    bot_id=BOT,
    website_url="https://cachewarden.example",
    privacy_url="https://cachewarden.example/privacy",
    terms_url="https://cachewarden.example/terms",
)


def _png_size_and_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 6)  # 8-bit RGBA
    idat = b""
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return width, height, zlib.decompress(idat)


def test_manifest_fields() -> None:
    manifest = build_manifest(OPTIONS)
    assert manifest["manifestVersion"] == MANIFEST_VERSION == "1.17"
    assert manifest["$schema"].endswith("/v1.17/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    (bot,) = manifest["bots"]
    assert bot["botId"] == BOT
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    (commands,) = bot["commandLists"]
    titles = [c["title"] for c in commands["commands"]]
    assert titles == [title for title, _ in MANIFEST_COMMANDS]
    assert {
        "audit",
        "explain",
        "rotate-token",
        "subscribe",
        "alerts on",
        "digest now",
        "log",
        "pending",
        "help",
    } == set(titles)
    assert all(
        len(c["title"]) <= 32 and 0 < len(c["description"]) <= 128 for c in commands["commands"]
    )
    assert len(titles) <= 10
    assert manifest_problems(manifest) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"app_id": "not-a-guid"}, "id must be a GUID"),
        ({"bot_id": "bot"}, "botId"),
        ({"version": "1.0"}, "version"),
        ({"name": "x" * 31}, "name.short"),
        ({"privacy_url": "http://plain.example"}, "privacyUrl"),
    ],
)
def test_bad_options_are_refused(change: dict[str, str], problem: str, tmp_path: Path) -> None:
    options = PackageOptions(**{**OPTIONS.__dict__, **change})
    assert any(problem in p for p in manifest_problems(build_manifest(options)))
    with pytest.raises(ManifestError):
        write_package(options, tmp_path / "app.zip")


def test_package_zip_holds_manifest_and_icons(tmp_path: Path) -> None:
    path = write_package(OPTIONS, tmp_path / "app.zip")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(archive.read("manifest.json")) == build_manifest(OPTIONS)
        color = _png_size_and_pixels(archive.read("color.png"))
        outline = _png_size_and_pixels(archive.read("outline.png"))
    assert color[:2] == (192, 192)
    assert outline[:2] == (32, 32)
    rows = [outline[2][y * (1 + 32 * 4) + 1 : (y + 1) * (1 + 32 * 4)] for y in range(32)]
    pixels = {bytes(row[i : i + 4]) for row in rows for i in range(0, len(row), 4)}
    # The outline icon is white on transparent, nothing else.
    assert pixels == {b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"}


def test_cli_writes_the_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cw.zip"
    code = main(
        [
            "teams-package",
            "--app-id",
            APP,
            "--bot-id",
            BOT,
            "--website-url",
            "https://a.example",
            "--privacy-url",
            "https://a.example/p",
            "--terms-url",
            "https://a.example/t",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    assert out.exists()
    assert (
        main(
            [
                "teams-package",
                "--app-id",
                "x",
                "--website-url",
                "https://a.example",
                "--privacy-url",
                "https://a.example/p",
                "--terms-url",
                "https://a.example/t",
                "--output",
                str(tmp_path / "bad.zip"),
            ]
        )
        == 2
    )
    assert "GUID" in capsys.readouterr().err
