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
    "cnn/conv_output_size-v1": "H_out from H, W_out from W (each from the layer's sizes), C_out is the filter count",
    "cnn/pool_output_size-v1": "H_out from H, W_out from W (each from the window, stride and padding), C_out is C",
    "cnn/transposed_conv_output_size-v1": "H_out from H and W_out from W, each from the layer's own sizes alone",
    "cnn/inception_module-v1": "depth, multiply-accumulates and parameters each summed over the branches' own sizes",
    "cnn/pooling_values-v1": "max, average and L2 pooling each read X itself; the channel-group L2 reads the features",
    # --- gan, diffusion, norm, divergence, bayes ---
    "gan/lsgan-v1": "L_D and L_G are each computed from the discriminator outputs alone",
    "gan/wasserstein_1d-v1": "W1 (from the CDF gaps) and the JSD are each computed from the two distributions alone",
    "norm/axes-v1": "the statistics' count, their sizes and the module's parameters come from the shape and the "
                    "norm's axes, and x̂ from x, each on its own",
    # --- latent, llm, metrics, embedding ---
    "llm/glue_average-v1": "one part per instance: the average of nine given scores, or (with a column hidden) the "
                           "missing score from the given average; neither is computed from the other",
    "embedding/skipgram_pairs-v1": "the pair count, the CBOW example count (n) and the parameter count (2|V|N) each "
                                   "come from the sentence length, window, vocabulary and embedding size alone",
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
