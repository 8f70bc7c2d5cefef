"""Ids, the registry, instance codes, and the self-test + reference check over every registered type."""

from __future__ import annotations

import pytest

from examprep import seeding
from examprep.checker import self_test
from examprep.errors import BadIdError, InvalidCodeError, UnknownProblemError
from examprep.instances import from_code
from examprep.registry import all_specs, format_id, list_specs, make, parse_id, resolve
from examprep.verify import resolve_device, verify_type

SPECS = [s.id for s in all_specs()]


@pytest.mark.parametrize("text", ["cnn/conv_output_size-v1", "attention/scaled_dot_product-v12", "a/b_c-v3"])
def test_parse_and_format_are_inverse(text: str) -> None:
    topic, name, version = parse_id(text)
    assert format_id(topic, name, version) == text


@pytest.mark.parametrize("text", ["cnn", "cnn/", "/x-v1", "cnn/conv-v0", "CNN/conv-v1", "cnn/conv-1", "a b/c-v1"])
def test_bad_ids(text: str) -> None:
    with pytest.raises(BadIdError):
        parse_id(text)


def test_unknown_id_suggests() -> None:
    with pytest.raises(UnknownProblemError, match="Did you mean cnn/conv_output_size"):
        resolve("cnn/conv_outputsize")
    with pytest.raises(UnknownProblemError, match="registered versions: cnn/conv_output_size-v1"):
        resolve("cnn/conv_output_size-v9")
    with pytest.raises(UnknownProblemError, match="no topic"):
        list_specs(["cnnn"])


def test_bare_id_resolves_to_newest() -> None:
    assert resolve("cnn/conv_output_size").id == "cnn/conv_output_size-v1"


def test_listing_imports_no_problem_module_sympy_or_torch() -> None:
    import subprocess
    import sys

    code = ("import sys; from examprep.registry import list_specs; list_specs(); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('sympy', 'torch', 'numpy') "
            "or (m.startswith('examprep.problems.') and m.count('.') > 2)]; print(bad); assert not bad")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_codes_round_trip_and_are_short() -> None:
    pt = make("cnn/conv_output_size")
    for seed in (0, 1, 7, 12345, 2**40):
        for d in seeding.DIFFICULTIES:
            code = seeding.encode(pt.id, seed, d)
            assert seeding.decode(code) == (seeding.id_hash(pt.id), seed, d)
            assert seeding.decode(code.lower()) == seeding.decode(code)
    assert len(seeding.encode(pt.id, 7, "medium").replace("-", "")) <= 8


def test_code_typos_are_caught() -> None:
    pt = make("cnn/conv_output_size")
    code = seeding.encode(pt.id, 4242, "hard").replace("-", "")
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    for i in range(len(code) - 1):
        for c in alphabet:
            if c != code[i]:
                with pytest.raises(InvalidCodeError):
                    seeding.decode(code[:i] + c + code[i + 1:])
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
        if swapped != code and {code[i], code[i + 1]} != {"0", "Z"}:  # Luhn's one blind spot
            with pytest.raises(InvalidCodeError):
                seeding.decode(swapped)


def test_no_two_registered_ids_share_a_code_hash() -> None:
    ids = [s.id for s in all_specs(include_retired=True)]
    hashes = [seeding.id_hash(i) for i in ids]
    assert len(set(hashes)) == len(hashes)


def test_same_seed_same_instance_different_seed_differs() -> None:
    pt = make("cnn/conv_output_size")
    a, b = pt.generate(3), pt.generate(3)
    assert a == b and from_code(a.code) == a
    assert len({pt.generate(s).params for s in range(30)}) > 10


@pytest.mark.parametrize("pid", SPECS)
def test_self_test(pid: str) -> None:
    """Every registered type, 30 seeds × 3 difficulties (the families' own tests add their worked examples)."""
    pt = make(pid)
    insts = [pt.generate(s, d) for s in range(30) for d in seeding.DIFFICULTIES]
    assert self_test(pt, insts) == []


@pytest.mark.parametrize("pid", SPECS)
def test_reference_agrees(pid: str) -> None:
    pt = make(pid)
    dev, _ = resolve_device("cpu")
    r = verify_type(pt, 300, dev, batch=128, self_test=False)
    assert r.disagreements == 0, r.examples


def test_checker_catches_a_wrong_step() -> None:
    """The self-test can fail: a subclass whose derivation shows a wrong value is caught."""
    from examprep.problems.cnn.conv_output_size import ConvOutputSize
    from examprep.solver.step import Derivation

    class Broken(ConvOutputSize):
        def derivation(self, p):  # type: ignore[no-untyped-def]
            d = super().derivation(p)
            s = d.steps[0]
            return Derivation([s.__class__(**{**s.__dict__, "value": s.value + 1}), *d.steps[1:]], d.answer)

    pt = Broken()
    fails = self_test(pt, [pt.generate(1)])
    assert any("check_steps_end_at_answers" in f for f in fails)
    assert any("check_substitutions_evaluate" in f for f in fails)


def test_checker_catches_a_degenerate_mistake() -> None:
    from examprep.problem import Mistake
    from examprep.problems.cnn.conv_output_size import ConvOutputSize

    class Degenerate(ConvOutputSize):
        def mistakes(self, p):  # type: ignore[no-untyped-def]
            return {"same": Mistake(self.solve(p), "no mistake at all")}

    pt = Degenerate()
    inst = ConvOutputSize().generate(1)
    assert any("scores full marks" in f for f in self_test(pt, [inst]))
    with pytest.raises(RuntimeError, match="no usable instance"):
        pt.generate(1)
