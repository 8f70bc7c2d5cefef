"""Reference verification: ``solve`` against the torch reference, plus every type's self-test.

The first 1,000 instances of a type are made with :meth:`ProblemType.generate` (seeds 0.., the three difficulties
in turn), so a disagreement there is quoted by instance code; beyond that, parameters are drawn straight from the
type's sampler (valid, but without the degenerate-draw rejection), which keeps N = 100,000 per type affordable.
References run in batches on the chosen device; answers are compared part by part in float64.

The package: :mod:`.compare` (the comparison rule), :mod:`.run` (one type: instances, batches, result),
:mod:`.parallel` (many types over worker processes).
"""

from examprep.verify.compare import ATOL, RTOL, TOLERANCES, compare, compare_column, compare_many
from examprep.verify.parallel import CHUNK_BATCHES, merge, verify_many, workers
from examprep.verify.run import (
    EXACT_N,
    SELF_TEST_N,
    VerifyResult,
    _check_batch,
    draws,
    instances,
    load_reference,
    plan,
    reference_disagreements,
    resolve_device,
    select,
    verify_type,
)

__all__ = ["ATOL", "CHUNK_BATCHES", "EXACT_N", "RTOL", "SELF_TEST_N", "TOLERANCES", "VerifyResult", "_check_batch",
           "compare", "compare_column", "compare_many", "draws", "instances", "load_reference", "merge", "plan",
           "reference_disagreements", "resolve_device", "select", "verify_many", "verify_type", "workers"]
