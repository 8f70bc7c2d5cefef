"""Every type with derived parts carries error forward.

A part is *derived* when ``solve`` computes it from another part's value (a total from its terms, probabilities from
logits, a loss from probabilities, a class from scores). Such a type declares ``Part(uses=...)`` and takes the
student's earlier values in ``solve(p, given)``, so ``tests/test_carried.py`` rounds every earlier answer of its
generated instances to the asked precision, recomputes the rest from them, and expects ``check`` to mark it right.

A multi-part type that does not carry forward is listed in ``INDEPENDENT`` with the reason none of its parts is
computed from another (each comes from the parameters alone).
"""

from __future__ import annotations

from examprep.registry import all_specs, make

# Each group below is kept by one person; add a type to its own group only.
INDEPENDENT: dict[str, str] = {
    # --- mlp, loss, optim, regularization ---
    "mlp/finite_difference-v1": "the forward, central and exact derivatives each come from the polynomial and w; the "
                                "pass counts from the number of weights",
    "optim/confusion_matrix-v1": "the accuracy, the precisions and the recalls are each read off the confusion matrix",
    "regularization/dropout-v1": "the training output, the test output and the expected kept count each come from h, "
                                 "the mask and p",
    "regularization/ensemble-v1": "three separate questions: the ensemble error, the bootstrap miss probability and "
                                  "the majority vote, each from its own parameters",
    # --- cnn, detection, vision, attention, positional ---
    # --- gan, diffusion, norm, divergence, bayes ---
    # --- latent, llm, metrics, embedding ---
    # --- transformer, rnn, audio, contrastive ---
}


def test_every_type_with_derived_parts_carries_forward() -> None:
    missing = []
    for s in all_specs():
        pt = make(s.id)
        if len(pt.parts) > 1 and not pt.carries_forward and s.id not in INDEPENDENT:
            missing.append(s.id)
    assert not missing, f"{len(missing)} multi-part types neither carry forward nor are listed: {missing}"


def test_listed_types_exist_and_do_not_carry_forward() -> None:
    ids = {s.id for s in all_specs()}
    for problem_id, reason in INDEPENDENT.items():
        assert problem_id in ids, problem_id
        assert not make(problem_id).carries_forward, f"{problem_id} carries forward: take it off the list"
        assert len(reason) > 20, f"{problem_id}: say why no part is computed from another"
