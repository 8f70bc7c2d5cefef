"""rnn types: the catalog's worked examples, the wrong values graded as named mistakes, validation, and the
batched references against solve on mixed batches."""

from __future__ import annotations

import numpy as np
import pytest
from family_helpers import family_checks, mistake_named, right, solved

from examprep import seeding
from examprep.checker import self_test
from examprep.errors import ParamError
from examprep.grader.score import grade_answers, grade_part
from examprep.instances import from_code
from examprep.registry import make
from examprep.verify import reference_disagreements, resolve_device, verify_type

IDS = ["rnn/rnn_forward-v1", "rnn/lstm_cell-v1", "rnn/gru_cell-v1", "rnn/param_count-v1", "rnn/truncated_bptt-v1",
       "rnn/elmo_mix-v1", "rnn/soft_hard_attention-v1"]


test_reference_agrees, test_self_test_every_difficulty, test_reference_on_a_mixed_batch = family_checks(
    IDS, batch=300, mixed=15)


# ---- rnn_forward ---------------------------------------------------------------------------------------------

def test_rnn_forward_catalog_f1_probabilities() -> None:
    # s02 F1: W_x = 0.5, W_h = 0.8, x = [1, 0.5, -1], h0 = 0; W_y = [2, -1]^T, b_y = [0, 0.5]
    pt, inst, ans = solved("rnn/rnn_forward-v1", x=[1, 0.5, -1], W_x=0.5, W_h=0.8, W_y=[2, -1], b_y=[0, 0.5])
    assert ans["h"] == pytest.approx(np.array([[0.462117, 0.550915, -0.059199]]), abs=1e-6)
    assert ans["logits"] == pytest.approx([-0.118398, 0.559199], abs=1e-6)
    assert ans["probs"] == pytest.approx([0.336798, 0.663202], abs=1e-6)
    assert ans["class"] == 2
    assert right(pt, inst, h="[[0.4621, 0.5509, -0.0592]]", probs="[0.3368, 0.6632]", **{"class": "2"})
    # no tanh: h = [0.5, 0.65, 0.02]
    assert mistake_named(pt, inst, "h", "[[0.5, 0.65, 0.02]]") == "no_tanh"
    # h0 fed at every step: h = tanh(0.5 x_t)
    assert mistake_named(pt, inst, "h", np.tanh([[0.5, 0.25, -0.5]])) == "state_not_carried"
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h1 = sig(0.5)
    h2 = sig(0.25 + 0.8 * h1)
    assert mistake_named(pt, inst, "h", [[h1, h2, sig(-0.5 + 0.8 * h2)]]) == "sigmoid_for_tanh"


def test_rnn_forward_catalog_f3_gradient_and_its_mistakes() -> None:
    # s02 F3: h0 = 0.3 gives h = [0.629145, 0.637123, 0.009698] and dh_3/dh_0 = 0.183753 (bound 0.8^3 = 0.512)
    pt, inst, ans = solved("rnn/rnn_forward-v1", x=[1, 0.5, -1], W_x=0.5, W_h=0.8, h0=0.3, grad=True)
    assert ans["h"][0] == pytest.approx([0.629145, 0.637123, 0.009698], abs=1e-6)
    assert ans["grad_h0"] == pytest.approx(0.183753, abs=1e-6)
    assert right(pt, inst, grad_h0="0.1838")
    assert mistake_named(pt, inst, "grad_h0", 0.512) == "tanh_derivative_forgotten"
    h = [0.3, 0.629145, 0.637123]
    assert mistake_named(pt, inst, "grad_h0", np.prod([0.8 * (1 - v * v) for v in h])) \
        == "derivative_at_previous_state"
    hs = ans["h"][0]
    assert mistake_named(pt, inst, "grad_h0", np.prod(0.8 * (1 - hs))) == "tanh_derivative_unsquared"
    assert mistake_named(pt, inst, "grad_h0", float(np.sum(0.8 * (1 - hs ** 2)))) == "factors_summed"


def test_rnn_forward_catalog_d1_gradient() -> None:
    # s00/01 D1: w_x = 1, w_h = 0.5, x = [1, 0.5, -1], h0 = 0
    _, _, ans = solved("rnn/rnn_forward-v1", x=[1, 0.5, -1], W_x=1, W_h=0.5, grad=True)
    assert ans["h"][0] == pytest.approx([0.761594, 0.706818, -0.569370], abs=1e-6)
    assert ans["grad_h0"] == pytest.approx(0.017754, abs=1e-6)


def test_rnn_forward_catalog_s04_b1_two_dimensional_state() -> None:
    # s04 B1: b_ih = (0.1, 0) and b_hh = (0, -0.2) give the single bias (0.1, -0.2)
    pt, inst, ans = solved("rnn/rnn_forward-v1", x=[[1, 0], [2, -1]], W_x=[[0.5, -1], [1, 0]],
                           W_h=[[1, 0.5], [0, -1]], b=[0.1, -0.2], h0=[0, 1])
    assert ans["h"][:, 0] == pytest.approx([-0.716298, -0.197375], abs=1e-6)
    assert ans["h"][:, 1] == pytest.approx([0.277540, -0.002625], abs=1e-6)
    assert right(pt, inst, h="[[-0.7163, 0.2775], [-0.1974, -0.0026]]")


def test_rnn_forward_states_rounded_step_by_step_are_right() -> None:
    """A student who rounds each h_t to 4 decimals before the next step (h_t from their rounded h_{t-1}, written
    here without solve), then the output parts from their states: every part right on 180 instances (3 were not
    before the states were followed column by column)."""
    from test_carried import rounded

    from examprep.problems.rnn.rnn_forward import inputs, matrix, vector

    pt = make("rnn/rnn_forward-v1")
    bad = []
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(60):
            p = pt.generate(seed, difficulty).params
            x, W_x, W_h = inputs(p), matrix("W_x", p.W_x), matrix("W_h", p.W_h)  # noqa: N806
            b, h = vector("b", p.b, W_h.shape[0]), vector("h0", p.h0, W_h.shape[0])
            hs = []
            for t in range(x.shape[1]):
                h = np.round(np.tanh(W_x @ x[:, t] + W_h @ h + b), 4)
                hs.append(h)
            given = {"h": np.stack(hs, axis=1).tolist()}
            for part in pt.active_parts(p)[1:]:
                given[part.name] = rounded(part, pt.solve(p, given)[part.name])
            r = grade_answers(pt, pt.solve(p), given, pt.mistakes(p), params=p)
            bad += [f"{seed} {difficulty}: {q.name} {q.verdict}" for q in r.parts if q.verdict != "right"]
    assert not bad, bad[:3]


def test_rnn_forward_states_from_the_students_rounded_previous_state_are_right() -> None:
    # 3090-T1M9: h_t = tanh(0.5 x_t + 0.5 h_{t-1}), x = (0.8, −0.2, −0.6), h_0 = 0, 4 decimals.
    # h_1 = tanh(0.4) = 0.379949 → 0.3799; h_2 = tanh(−0.1 + 0.5·0.3799) = tanh(0.08995) = 0.089708 → 0.0897;
    # h_3 = tanh(−0.3 + 0.5·0.0897) = tanh(−0.25515) = −0.249754 → −0.2498 (the exact h_3 is −0.249738 → −0.2497)
    inst = from_code("3090-T1M9")
    pt = make(inst.problem_id)
    truth = pt.solve(inst.params)
    assert np.asarray(truth["h"]) == pytest.approx(np.array([[0.379949, 0.089732, -0.249738]]), abs=1e-6)
    named = pt.mistakes(inst.params)  # they narrow the fair band: −0.2498 alone is not within it
    assert grade_answers(pt, truth, {"h": "[[0.3799, 0.0897, -0.2498]]"}, named).parts[0].verdict == "partial"
    r = grade_answers(pt, truth, {"h": "[[0.3799, 0.0897, -0.2498]]"}, named, params=inst.params).parts[0]
    assert (r.verdict, r.score, r.feedback) == ("right", 1, "follows from your own earlier steps")
    # a slip at h_1 (0.3899) carried on: h_2 = tanh(0.09495) = 0.0947, h_3 = tanh(−0.25265) = −0.2474; the part
    # holds the slip itself (h_1 earns nothing) and the two states after it follow from it: the ECF credit each
    slip = grade_answers(pt, truth, {"h": "[[0.3899, 0.0947, -0.2474]]"}, named, params=inst.params).parts[0]
    assert (slip.verdict, slip.score) == ("carried", pytest.approx(1 / 3))


@pytest.mark.parametrize("sets", [
    dict(x=[1, 2], W_x=[[1, 2]], W_h=0.5),            # W_x 1×2 but D = 1
    dict(x=[1, 2], W_x=[1, 1], W_h=[[1, 0]]),          # W_h not square
    dict(x=[[1, 2], [0, 1]], W_x=[[1, 1]], W_h=0.5, grad=True),  # grad needs D = 1
    dict(x=[1, 2], W_x=1, W_h=1, W_y=[[1]]),            # one class
    dict(x=[1, 2], W_x=1, W_h=1, b=[1, 2]),             # b of the wrong size
])
def test_rnn_forward_refuses_bad_shapes(sets: dict) -> None:
    with pytest.raises(ParamError):
        make("rnn/rnn_forward").from_params(sets)


def test_rnn_forward_statement_states_the_conventions() -> None:
    pt = make("rnn/rnn_forward")
    text = " ".join(s for s in pt.statement(pt.generate(3, "hard").params) if isinstance(s, str))
    assert "\\tanh(W_x x_t + W_h h_{t-1} + b)" in text and "one bias" in text


# ---- lstm_cell: s02 F5 ---------------------------------------------------------------------------------------

F5 = dict(x=1, h_prev=0.5, c_prev=0.8, W_i=[0.5, 0.4], b_i=0.1, W_f=[0.6, -0.2], b_f=0, W_g=[1.0, 0.5], b_g=-0.2,
          W_o=[0.3, 0.7], b_o=0.1)


def test_lstm_cell_catalog_f5() -> None:
    pt, inst, ans = solved("rnn/lstm_cell-v1", **F5)
    want = dict(i=0.689974, f=0.622459, g=0.781806, o=0.679179, c=1.037394, h=0.527625)
    for k, v in want.items():
        assert ans[k] == pytest.approx([v], abs=1e-6), k
    assert right(pt, inst, c="[1.0374]", h="[0.5276]")


def test_lstm_cell_wrong_forget_gate_carried_into_c_and_h_earns_the_ecf_credit() -> None:
    pt, inst, truth = solved("rnn/lstm_cell-v1", **F5)
    i, f, g, o = 0.6900, 0.5987, 0.7818, 0.6792  # f = σ(0.4) is wrong (σ(0.5) = 0.6225); the others rounded
    c = f * 0.8 + i * g  # c_t = f ⊙ c_(t-1) + i ⊙ g from the student's gates
    h = o * np.tanh(round(c, 4))
    assert (round(c, 4), round(h, 4)) == (1.0184, 0.5225)
    given = {"i": "[0.69]", "f": "[0.5987]", "g": "[0.7818]", "o": "[0.6792]", "c": "[1.0184]", "h": "[0.5225]"}
    r = {p.name: p for p in grade_answers(pt, truth, given, pt.mistakes(inst.params), params=inst.params).parts}
    assert r["f"].verdict == "wrong"
    assert (r["c"].verdict, r["c"].score) == ("carried", 0.5)
    assert (r["h"].verdict, r["h"].score) == ("carried", 0.5)
    assert r["c"].feedback.startswith("follows from your i = [0.69], f = [0.5987], g = [0.7818]")
    # an h that follows from nothing the student wrote stays wrong
    r2 = grade_answers(pt, truth, {**given, "h": "[0.6]"}, params=inst.params)
    assert {p.name: p.verdict for p in r2.parts}["h"] == "wrong"


def test_lstm_cell_named_mistakes_f5() -> None:
    pt, inst, _ = solved("rnn/lstm_cell-v1", **F5)
    # the notes' i, f, o from x_t alone: c = 1.021303, h = 0.461227
    assert mistake_named(pt, inst, "h", "[0.4612]") == "gates_from_x_only"
    assert mistake_named(pt, inst, "c", "[1.0213]") == "gates_from_x_only"
    assert mistake_named(pt, inst, "h", "[0.7046]") == "h_without_tanh"
    # sigma and tanh swapped: i = tanh(0.8), f = tanh(0.5), g = sigma(1.05), o = tanh(0.75)
    c = np.tanh(0.5) * 0.8 + np.tanh(0.8) / (1 + np.exp(-1.05))
    assert mistake_named(pt, inst, "c", [c]) == "sigma_tanh_swapped"
    # rows read as (g, i, f, o): g from W_i (0.8), i from W_f (0.5), f from W_g (1.05)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    assert mistake_named(pt, inst, "c", [sig(1.05) * 0.8 + sig(0.5) * np.tanh(0.8)]) == "gate_order_gifo"


def test_lstm_cell_statement_stacks_in_pytorch_order_and_refuses_bad_shapes() -> None:
    pt = make("rnn/lstm_cell")
    text = " ".join(s for s in pt.statement(pt.from_params(F5).params) if isinstance(s, str))
    assert "(i, f, g, o)" in text and "h_t = o \\odot \\tanh(c_t)" in text
    with pytest.raises(ParamError):
        pt.from_params({**F5, "W_f": [0.6, -0.2, 0.1]})


# ---- gru_cell: s02 F6 ----------------------------------------------------------------------------------------

F6 = dict(x=1, h_prev=0.5, W_r=[0.4, 0.3], b_r=0, W_z=[0.5, -0.6], b_z=0.1, W_n=[1.2, 0.8], b_n=0)


def test_gru_cell_catalog_f6_notes_and_the_pytorch_blend() -> None:
    pt, inst, ans = solved("rnn/gru_cell-v1", **F6, convention="notes")
    for k, v in dict(r=0.634136, z=0.574443, n=0.896413, h=0.727717).items():
        assert ans[k] == pytest.approx([v], abs=1e-6), k
    assert right(pt, inst, h="[0.7277]")
    assert mistake_named(pt, inst, "h", "[0.6687]") == "other_convention"
    pt, inst, ans = solved("rnn/gru_cell-v1", **F6, convention="pytorch")
    assert ans["h"] == pytest.approx([0.668697], abs=1e-6)  # with H = 1 only the blend differs
    assert mistake_named(pt, inst, "h", "[0.7277]") == "other_convention"


def test_gru_cell_named_mistakes() -> None:
    pt, inst, ans = solved("rnn/gru_cell-v1", **F6, convention="notes")
    r, z = 0.634136, 0.574443
    # reset on x: n = tanh(1.2 r x + 0.8 h)
    assert mistake_named(pt, inst, "n", [np.tanh(1.2 * r + 0.4)]) == "reset_on_x"
    # reset on the blend: n = tanh(1.2 + 0.8·0.5), h = (1 - z) r h + z n
    n = np.tanh(1.6)
    assert mistake_named(pt, inst, "h", [(1 - z) * r * 0.5 + z * n]) == "reset_on_blend"
    assert mistake_named(pt, inst, "n", [1.2 + 0.8 * r * 0.5]) == "candidate_without_tanh"


def test_gru_cell_pytorch_resets_after_the_product() -> None:
    # H = 2: r ⊙ (W_n,h h) differs from W_n,h (r ⊙ h); checked by hand from the formula
    # r = (σ(0), σ(x)) = (0.5, σ(1)), z = 0.5
    params = dict(x=[1], h_prev=[0.5, -1], W_r=[[0, 0, 0], [1, 0, 0]], W_z=[[0, 0, 0], [0, 0, 0]],
                  W_n=[[0, 1, 1], [0, 0, 0]], convention="pytorch")
    r2 = 1 / (1 + np.exp(-1))
    _, _, ans = solved("rnn/gru_cell-v1", **params)
    assert ans["n"] == pytest.approx([np.tanh(0.5 * (0.5 - 1)), 0])
    _, _, notes = solved("rnn/gru_cell-v1", **{**params, "convention": "notes"})
    assert notes["n"] == pytest.approx([np.tanh(0.5 * 0.5 - r2 * 1), 0])
    assert ans["h"] == pytest.approx(0.5 * np.array([0.5, -1]) + 0.5 * ans["n"])
    assert notes["h"] == pytest.approx(0.5 * np.array([0.5, -1]) + 0.5 * notes["n"])


def test_gru_cell_statement_states_the_convention() -> None:
    pt = make("rnn/gru_cell")
    for conv, blend in (("notes", "(1 - z) \\odot h_{t-1} + z \\odot n"), ("pytorch", "z \\odot h_{t-1} + (1 - z)")):
        text = " ".join(s for s in pt.statement(pt.from_params({**F6, "convention": conv}).params)
                        if isinstance(s, str))
        assert blend in text
    with pytest.raises(ParamError):
        pt.from_params({**F6, "W_n": [[1, 2], [3, 4]]})


# ---- param_count: s02 F2, s04 B1 -----------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "single", "double"), [("rnn", 620, 640), ("lstm", 2480, 2560), ("gru", 1860, 1920)])
def test_param_count_catalog_f2(cell: str, single: int, double: int) -> None:
    pt, inst, ans = solved("rnn/param_count-v1", cell=cell, input_size=10, hidden_size=20, bias="single")
    assert ans["total"] == ans["first_layer"] == single
    assert mistake_named(pt, inst, "total", double) == "other_bias_form"
    assert mistake_named(pt, inst, "total", single * 50) == "times_seq_len"
    _, _, ans2 = solved("rnn/param_count-v1", cell=cell, input_size=10, hidden_size=20, bias="double")
    assert ans2["total"] == double


def test_param_count_layers_directions_output_and_mistakes() -> None:
    # LSTM(8, 16, 2 layers, bidirectional), one bias, K = 5: block 16·8 + 256 + 16 = 400; layer 1: 4·2·400 = 3200;
    # layer 2 reads 32: 4·2·(16·32 + 256 + 16) = 6272; output 32·5 + 5 = 165
    pt, inst, ans = solved("rnn/param_count-v1", cell="lstm", input_size=8, hidden_size=16, layers=2,
                           bidirectional=True, bias="single", output_size=5)
    assert (ans["gate_block"], ans["first_layer"], ans["output_params"]) == (400, 3200, 165)
    assert ans["total"] == 3200 + 6272 + 165
    assert right(pt, inst, gate_block="400", first_layer="3200", output_params="165", total=str(ans["total"]))
    assert mistake_named(pt, inst, "total", 2 * 3200 + 165) == "deep_input_as_d"
    assert mistake_named(pt, inst, "first_layer", 800) == "gate_count_forgotten"


# ---- truncated_bptt: s02 F4 ----------------------------------------------------------------------------------

def test_truncated_bptt_catalog_f4() -> None:
    pt, inst, ans = solved("rnn/truncated_bptt-v1", T=1000, k1=50, k2=100)
    assert ans == {"updates": 20, "backward_steps": 1950}
    assert mistake_named(pt, inst, "backward_steps", 2000) == "updates_times_k2"
    assert mistake_named(pt, inst, "backward_steps", 1000) == "k2_as_k1"
    assert solved("rnn/truncated_bptt-v1", T=100, k1=20, k2=20)[2]["updates"] == 5


def test_truncated_bptt_incomplete_block_and_ceiling() -> None:
    # T = 1010: the last 10 steps get no update; a ceiling gives 21 updates (the 21st at t = 1010, 100 steps)
    pt, inst, ans = solved("rnn/truncated_bptt-v1", T=1010, k1=50, k2=100)
    assert ans == {"updates": 20, "backward_steps": 1950}
    assert mistake_named(pt, inst, "updates", 21) == "ceiling"


# ---- elmo_mix ------------------------------------------------------------------------------------------------

def test_elmo_mix_softmax_weights_and_gamma() -> None:
    # w = (0, ln 3): s = (1/4, 3/4); γ = 2 and the layers e1, e2 give ELMo = (0.5, 1.5)
    pt, inst, ans = solved("rnn/elmo_mix-v1", reps=[[1, 0], [0, 1]], w=[0, float(np.log(3))], gamma=2)
    assert ans["s"] == pytest.approx([0.25, 0.75])
    assert ans["elmo"] == pytest.approx([0.5, 1.5])
    assert right(pt, inst, s="[0.25, 0.75]", elmo="[0.5, 1.5]")
    assert mistake_named(pt, inst, "elmo", "[0.25, 0.75]") == "gamma_dropped"
    assert mistake_named(pt, inst, "elmo", "[1, 1]") == "plain_mean"
    assert mistake_named(pt, inst, "elmo", [0, 2 * np.log(3)]) == "raw_weights"
    with pytest.raises(ParamError):
        make("rnn/elmo_mix").from_params(dict(reps=[[1, 0], [0, 1]], w=[0, 1, 2]))


# ---- soft_hard_attention: s02 G4 -----------------------------------------------------------------------------

G4 = dict(features=[[1, 0], [0, 1], [1, 1]], scores=[1, 2, 0.5])


def test_soft_hard_attention_catalog_g4() -> None:
    pt, inst, ans = solved("rnn/soft_hard_attention-v1", **G4)
    assert ans["weights"] == pytest.approx([0.231224, 0.628532, 0.140244], abs=1e-6)
    assert ans["soft"] == pytest.approx([0.371468, 0.768776], abs=1e-6)
    assert (ans["hard_index"], ans["hard"].tolist()) == (2, [0, 1])
    assert right(pt, inst, soft="[0.3715, 0.7688]", hard_index="2", hard="[0, 1]")
    # the scores as weights: 1·[1, 0] + 2·[0, 1] + 0.5·[1, 1]
    assert mistake_named(pt, inst, "soft", "[1.5, 2.5]") == "scores_as_weights"


@pytest.mark.parametrize(("u", "index"), [(0.1, 1), (0.5, 2), (0.9, 3)])
def test_soft_hard_attention_sampled_by_cumulative_weights(u: float, index: int) -> None:
    # cumulative weights 0.231224, 0.859756, 1
    _, _, ans = solved("rnn/soft_hard_attention-v1", **G4, u=u)
    assert ans["hard_index"] == index


def test_soft_hard_attention_scores_weighted() -> None:
    pt, inst, ans = solved("rnn/soft_hard_attention-v1", features=np.eye(3).tolist(), scores=[1, 2, 0.5])
    w = ans["weights"]
    assert mistake_named(pt, inst, "soft", w * np.array([1, 2, 0.5])) == "scores_weighted"
    with pytest.raises(ParamError):
        make("rnn/soft_hard_attention").from_params(dict(features=[[1, 0]], scores=[1, 2]))


# ---- beam_search: s02 G2 -------------------------------------------------------------------------------------

G2 = dict(vocab=["A", "B", "</s>"], p_first=[0.5, 0.4, 0.1], p_next=[[0.4, 0.3, 0.3], [0.9, 0.05, 0.05], [0, 0, 1]],
          max_len=2, beam_width=2)
BEAM = "rnn/beam_search-v1"


@pytest.mark.parametrize("check", ["reference", "self_test", "mixed_batch"])
def test_beam_search_reference_and_self_test(check: str) -> None:
    pt = make(BEAM)
    if check == "reference":
        r = verify_type(pt, 300, resolve_device("cpu")[0], batch=150, self_test=False)
        assert r.disagreements == 0, r.examples
    elif check == "self_test":
        assert self_test(pt, [pt.generate(s, d) for s in range(8) for d in seeding.DIFFICULTIES]) == []
    else:  # generated instances with the catalog's and hand-made ones (other T, K, zeros, </s> first in vocab)
        params = [pt.generate(s, d).params for s in range(6) for d in seeding.DIFFICULTIES]
        params += [pt.from_params(dict(G2)).params, pt.from_params(dict(G2, max_len=1, beam_width=1)).params,
                   pt.from_params(dict(vocab=["</s>", "x", "y"], p_first=[0.2, 0.8, 0],
                                       p_next=[[1, 0, 0], [0.5, 0.2, 0.3], [0.1, 0.1, 0.8]], max_len=4,
                                       beam_width=3)).params]
        assert reference_disagreements(pt, params) == []


def test_beam_search_catalog_g2() -> None:
    pt, inst, ans = solved(BEAM, **G2)
    assert (ans["greedy"], ans["beam"], ans["best"]) == ("A A", "B A", "B A")
    assert ans["greedy_logprob"] == pytest.approx(np.log(0.5 * 0.4), abs=1e-9) == pytest.approx(-1.609438, abs=1e-6)
    assert ans["beam_logprob"] == pytest.approx(np.log(0.4 * 0.9), abs=1e-9) == pytest.approx(-1.021651, abs=1e-6)
    assert right(pt, inst, greedy="A A", greedy_logprob="-1.6094", beam="b  a", beam_logprob="ln(0.36)", best="B A")
    # probabilities added: ln(0.5 + 0.4) for the greedy output, ln(0.4 + 0.9) for the beam output
    assert mistake_named(pt, inst, "greedy_logprob", "-0.1054") == "probabilities_added"
    assert mistake_named(pt, inst, "beam_logprob", str(np.log(1.3))) == "probabilities_added"


# A planted instance (seed 0, easy), every value computed by hand from the table:
# first A .55 B .25 C .15 </s> .05; after A: A .35 B .3 C .25 </s> .1; after B: A .1 B .05 C .8 </s> .05;
# after C: A .1 B .15 C .35 </s> .4; T = 3, K = 2.
PLANTED = dict(vocab=["A", "B", "C", "</s>"], p_first=[0.55, 0.25, 0.15, 0.05],
               p_next=[[0.35, 0.3, 0.25, 0.1], [0.1, 0.05, 0.8, 0.05], [0.1, 0.15, 0.35, 0.4], [0, 0, 0, 1]],
               max_len=3, beam_width=2)


def test_beam_search_hand_computed_instance_and_its_mistakes() -> None:
    pt, inst, ans = solved(BEAM, **PLANTED)
    assert pt.generate(0, "easy").params == inst.params  # the code 00YZ-NSV
    # greedy: A (.55), then A (.35), then A (.35)
    assert ans["greedy"] == "A A A" and ans["greedy_logprob"] == pytest.approx(np.log(0.55 * 0.35 * 0.35))
    # step 2 keeps B C (.2) and A A (.1925); A B (.165) is cut; step 3: B C </s> .08 beats B C C .07, A A A .0674
    assert ans["beam"] == "B C </s>" and ans["beam_logprob"] == pytest.approx(np.log(0.25 * 0.8 * 0.4))
    # the optimum goes through the cut A B: A B C = .55 · .3 · .8 = .132
    assert ans["best"] == "A B C"
    assert right(pt, inst, beam="B C </s>", beam_logprob="-2.5257", best="a b c", greedy="A A A")
    assert mistake_named(pt, inst, "beam", "A B C") == "top_k_per_parent"  # A B survives as A's second child
    assert mistake_named(pt, inst, "beam", "B C C") == "finished_dropped"  # B C </s> thrown away
    assert mistake_named(pt, inst, "beam_logprob", str(np.log(0.25 + 0.8 + 0.4))) == "probabilities_added"
    for text in ("B C</s>", "B C <s>", "B C </s/>"):
        assert grade_part(pt.part("beam"), ans["beam"], text).verdict == "invalid"


def test_beam_search_output_ending_with_the_end_token_is_graded() -> None:
    # A </s> = .6 · .5 = .3 beats A A .18, B A .12 and everything else
    pt, inst, ans = solved(BEAM, vocab=["A", "B", "</s>"], p_first=[0.6, 0.3, 0.1],
                           p_next=[[0.3, 0.2, 0.5], [0.4, 0.35, 0.25], [0, 0, 1]], max_len=2, beam_width=2)
    assert ans["beam"] == ans["best"] == "A </s>" and ans["beam_logprob"] == pytest.approx(np.log(0.3))
    assert right(pt, inst, beam="a </S>", beam_logprob="-1.2040", best="A </s>")


def test_beam_search_logprob_carried_forward_from_the_students_output() -> None:
    pt, inst, _ = solved(BEAM, **PLANTED)
    r = {p.name: p for p in grade_answers(pt, pt.solve(inst.params),
                                          {"greedy": "A A B", "greedy_logprob": "-2.8516", "beam": "B C",
                                           "beam_logprob": "-1.6094"}, pt.mistakes(inst.params),
                                          params=inst.params).parts}
    assert r["greedy_logprob"].verdict == "carried"  # ln(.55 · .35 · .3) follows from the wrong greedy output
    assert r["beam_logprob"].verdict == "wrong"  # B C is no complete output (T = 3): nothing to carry


def test_beam_search_generated_instances_keep_every_mistake_apart_without_ties() -> None:
    from examprep.problems.rnn.beam_search import MARGIN, MISTAKES
    from examprep.problems.rnn.decoder import Decoder

    pt = make(BEAM)
    for d in seeding.DIFFICULTIES:
        for seed in range(25):
            p = pt.generate(seed, d).params
            dec, truth, m = Decoder.of(p), pt.solve(p), pt.mistakes(p)
            assert p.p_first[-1] <= 0.1 and max(r[-1] for r in p.p_next[:-1]) <= 0.4  # p(</s>) modest
            assert dec.greedy()[1] >= MARGIN and dec.best()[1] >= MARGIN and dec.beam().gap >= MARGIN
            assert set(MISTAKES) <= set(m)
            for name in MISTAKES[1:]:
                assert m[name].answers["beam"] != truth["beam"]
            assert truth["best"] != truth["beam"] and len(p.vocab) <= 5 and p.max_len <= 3 and p.beam_width <= 3


@pytest.mark.parametrize("sets", [
    dict(G2, vocab=["A", "B", "C"]),                                # no </s>
    dict(G2, vocab=["A", "a", "</s>"]),                             # tokens equal but for case
    dict(G2, vocab=["A", "<b>", "</s>"]),                           # not a token
    dict(G2, p_first=[0.5, 0.4, 0.2]),                              # sums to 1.1
    dict(G2, p_next=[[0.4, 0.3, 0.3], [0.9, 0.05, 0.1], [0, 0, 1]]),  # row B sums to 1.05
    dict(G2, p_first=[0.5, 0.5]),                                   # one entry short
])
def test_beam_search_refuses_bad_tables(sets: dict) -> None:
    with pytest.raises(ParamError):
        make(BEAM).from_params(sets)


def test_hidden_states_after_a_slip_follow_from_it() -> None:
    """h_t = tanh(0.5·x_t + 0.8·h_{t−1}), x = [1, 0.5], h_0 = 0: h_1 = tanh(0.5) = 0.462117, h_2 = 0.550915. A student
    who slips to h_1 = 0.6 and then computes h_2 = tanh(0.25 + 0.8·0.6) = tanh(0.73) = 0.623065 from it earns the
    ECF credit for h_2 and nothing for h_1; an h_2 that follows from nothing earns nothing."""
    pt, inst, truth = solved("rnn/rnn_forward-v1", x=[1, 0.5], W_x=[[0.5]], W_h=[[0.8]], b=[0])
    assert np.asarray(truth["h"]).ravel() == pytest.approx([0.462117, 0.550915], abs=1e-6)
    r = grade_answers(pt, truth, {"h": "[[0.6, 0.6231]]"}, params=inst.params).parts[0]
    assert (r.verdict, r.score) == ("carried", 0.25)
    assert r.feedback.endswith("1 more follows from your own earlier steps (error carried forward)")
    assert grade_answers(pt, truth, {"h": "[[0.6, 0.7]]"}, params=inst.params).parts[0].score == 0
