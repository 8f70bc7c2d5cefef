"""Secret instance codes: parameters from an HMAC of the instructor's secret, a code form no public code has, and
every command that opens a code needs the secret (issue 24 item 8). Public codes are unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from examprep import seeding
from examprep.errors import InvalidCodeError
from examprep.instances import from_code
from examprep.registry import list_specs, make

ROOT = Path(__file__).resolve().parent.parent
SECRET = "correct horse battery staple 42"


def cli(*args: str, secret: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "EXAMPREP_SECRET"} | {"PYTHONPATH": str(ROOT)}
    if secret is not None:
        env["EXAMPREP_SECRET"] = secret
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_public_codes_are_unchanged() -> None:
    # the code layout as before: 24-bit id hash, difficulty, seed, Luhn mod 32 check symbol
    pt = make("cnn/conv_output_size")
    inst = pt.generate(0, "medium")
    n = ((0 << 2 | 1) << 24) | seeding.id_hash(pt.id)
    digits = ""
    while n:
        n, r = divmod(n, 32)
        digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[r] + digits
    body = digits.rjust(6, "0") + seeding._luhn_check(digits.rjust(6, "0"))
    assert inst.code == body[:4] + "-" + body[4:]
    assert from_code(inst.code).params == inst.params


def test_secret_instances(monkeypatch: pytest.MonkeyPatch) -> None:
    key = SECRET.encode()
    differ = 0
    for spec in list_specs()[:12]:
        pt = make(spec.id)
        pub, sec = pt.generate(5, "easy"), pt.generate(5, "easy", key)
        assert sec.code.startswith("U") and not pub.code.startswith("U")
        differ += sec.params != pub.params
        monkeypatch.delenv("EXAMPREP_SECRET", raising=False)
        with pytest.raises(InvalidCodeError, match="this code is secret: set EXAMPREP_SECRET"):
            from_code(sec.code)
        monkeypatch.setenv("EXAMPREP_SECRET", SECRET + "x")
        with pytest.raises(InvalidCodeError, match="another secret"):
            from_code(sec.code)
        monkeypatch.setenv("EXAMPREP_SECRET", SECRET)
        again = from_code(sec.code.lower())
        assert again.params == sec.params and again.code == sec.code
        assert from_code(pub.code).params == pub.params  # public codes need no secret and ignore it
    assert differ >= 10  # other numbers (a small parameter space may coincide now and then)
    # the two kinds never collide: a secret code's first symbol is one no public code uses
    assert "U" not in seeding._ALPHABET
    monkeypatch.setenv("EXAMPREP_SECRET", "short")
    with pytest.raises(Exception, match="at least 16 characters"):
        from_code(sec.code)


def test_commands_need_the_secret(tmp_path: Path) -> None:
    r = cli("gen", "cnn/conv_output_size", "--count", "2", secret=SECRET)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    code = rows[0]["code"]
    assert all(x["code"].startswith("U") for x in rows)
    for args in (["key", code], ["solve", code], ["check", code, "--answer", "h_out=1"]):
        r = cli(*args)
        assert r.returncode == 2 and r.stderr.strip() == ("error: this code is secret: set EXAMPREP_SECRET (or pass "
                                                          "--secret-file) to open it"), (args, r.stderr)
    r = cli("key", code, "--json", secret=SECRET)
    assert r.returncode == 0
    assert {p["part"]: p["value"] for p in json.loads(r.stdout)[0]["parts"]} == rows[0]["answers"]
    (tmp_path / "secret").write_text(SECRET + "\n")
    r = cli("--secret-file", str(tmp_path / "secret"), "key", code, "--json")
    assert r.returncode == 0 and json.loads(r.stdout)[0]["code"] == code
    subs = tmp_path / "s.csv"
    subs.write_text("student,code,part,answer\n" + "".join(f"ana,{code},{k},{v}\n" for k, v in rows[0]["answers"]
                                                             .items()))
    r = cli("grade", str(subs), "-f", "json", secret=SECRET)
    assert r.returncode == 0 and json.loads(r.stdout)["students"][0]["percent"] == 100.0
    r = cli("grade", str(subs), "-f", "json")
    assert r.returncode == 3 and "this code is secret" in json.loads(r.stdout)["reported"][0]["reason"]


def test_sheets_mint_secret_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    from examprep.sheets.select import instances, parse_items

    monkeypatch.setenv("EXAMPREP_SECRET", SECRET)
    got = instances(parse_items(["cnn/conv_output_size:2"], [], 1), seed=3)
    assert [i.code[0] for _, i in got] == ["U", "U"]
    monkeypatch.delenv("EXAMPREP_SECRET")
    got = instances(parse_items(["cnn/conv_output_size:2"], [], 1), seed=3)
    assert [i.code[0] for _, i in got] != ["U", "U"]
