"""Statements and derivations say what they use: the bias b, pooling only with pooling, PyTorch's default biases,
a multiplication sign between names, a step label that names a quantity already shown, a table after its step."""

from __future__ import annotations

from examprep.registry import make
from examprep.solver.expr import Sym
from examprep.solver.render import statement


def _text(pt, params) -> str:
    return statement(pt.statement(params), "text").replace("$", "")  # (markup or not: the words are checked)


def test_conv2d_forward_states_b_always_and_pooling_only_with_pooling() -> None:
    pt = make("cnn/conv2d_forward")
    seen = set()
    for seed in range(60):
        for diff in ("easy", "medium", "hard"):
            inst = pt.generate(seed, diff)
            text = _text(pt, inst.params)
            assert f"b = {inst.params.bias}".replace("-", "−") in text.replace("-", "−")
            assert ("pooling" in text.lower()) == bool(inst.params.pool), text
            seen.add((inst.params.bias == 0, bool(inst.params.pool)))
    assert {(True, False), (False, True)} <= seen  # both cases were met


def test_multihead_dims_poses_pytorchs_default_biases_and_bias_false() -> None:
    from examprep.instances import resolve_target

    pt = make("attention/multihead_dims")
    _, inst = resolve_target("attention/multihead_dims", seed=None, difficulty="medium",
                             sets=["d_model=640", "heads=10", "seq_len=8"])
    assert pt.solve(inst.params)["total"] == 1_640_960  # nn.MultiheadAttention(640, 10): bias=True by default
    text = _text(pt, inst.params)
    assert "have biases" in text and "PyTorch's default" in text and "without" not in text
    _, nob = resolve_target("attention/multihead_dims", seed=None, difficulty="medium",
                            sets=["d_model=640", "heads=10", "seq_len=8", "bias=false"])
    assert pt.solve(nob.params)["total"] == 4 * 640 * 640
    assert "bias=False" in _text(pt, nob.params)
    steps = {s.title: s for s in pt.derivation(inst.params).steps}
    head = next(s for t, s in steps.items() if t.startswith("One head's query projection"))
    assert head.formula.render("text") == "d·d_head + d_head"


def test_products_of_names_get_a_dot_in_text() -> None:
    d, dh, h, n = Sym("d"), Sym("d_head"), Sym("h"), Sym("n")
    assert (d * dh).render("text") == "d·d_head"
    assert (d * d).render("text") == "d·d"
    assert (h * n**2).render("text") == "hn²"  # single letters stay juxtaposed
    assert (4 * d**2).render("text") == "4d²"


def test_softmax_temperature_exponential_step_names_z_over_t() -> None:
    pt = make("attention/softmax_temperature")
    d = pt.derivation(pt.generate(1, "medium").params)
    lhs = [s.lhs.render("text") if hasattr(s.lhs, "render") else str(s.lhs) for s in d.steps]
    assert lhs[0] == "z/T"
    assert lhs[1] == "exp(z/T)"


def test_noise_schedule_table_comes_after_the_step_that_computes_alpha_bar_t() -> None:
    pt = make("diffusion/noise_schedule")
    for seed in range(10):
        p = pt.generate(seed, "medium").params
        parts = [s.part for s in pt.derivation(p).steps]
        assert parts.index("alpha_bar_table") > parts.index("alpha_bar")
