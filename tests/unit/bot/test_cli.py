"""The console script: every subcommand is registered, and each runs without the others."""

from __future__ import annotations

import json

import pytest

from bot.cli import REGISTRAR_FOR, REGISTRARS, build_parser, main


def test_every_registrar_has_its_subcommands_listed() -> None:
    assert set(REGISTRAR_FOR.values()) == set(REGISTRARS)
    full = build_parser()
    names = set(full._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert names == set(REGISTRAR_FOR)


@pytest.mark.parametrize("command", sorted(REGISTRAR_FOR))
def test_single_command_parser_knows_its_command(command: str) -> None:
    parser = build_parser(command)
    choices = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert command in choices


def test_explain_json_and_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "ElastiCache.5", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["id"] == "CW-101" and doc["remediation"]["cli"]
    assert main(["explain", "EC-14"]) == 2
    assert "Did you mean EC-014?" in capsys.readouterr().err


def test_rules_json_lists_every_rule_with_fixes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert len(rules) >= 36
    for rule in rules:
        fix = rule["remediation"]
        if fix["fix_kind"] != "manual":
            assert fix["cli"] and fix["cloudformation"] and fix["terraform"], rule["id"]


def test_explain_control_shows_both_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "EC-014"]) == 0
    text = capsys.readouterr().out
    assert "CW-101" in text and "CW-103" in text


def test_unknown_subcommand_is_a_usage_error() -> None:
    assert main(["bogus"]) == 2


def test_explain_an_unmapped_framework_id_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "EC-008"]) == 2
    err = capsys.readouterr().err
    assert "has no cachewarden rule" in err and "CW-607" in err


def test_rules_table_names_each_rules_category(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].split()[:3] == ["ID", "SEVERITY", "CATEGORY"]
    by_id = {row.split()[0]: row.split()[2] for row in rows[1:] if row.startswith("CW-")}
    assert by_id["CW-609"] == "cost" and by_id["CW-101"] == "security"


def test_audit_help_documents_exit_code_3_and_allow_partial(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["audit", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--allow-partial" in text
    assert "3 some account, region or rule could not be assessed" in text
