"""Property: on random small nets, a claim computed with one registered mistake is named by the
checker (or by a registered mistake that gives the very same number), and unmutated claims — true
values and true expressions — are always right. Tens of cases here; the long run with the rate per
mistake: ``python bench/bench_check.py --mutations 300``."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutation_cases import judge_claims, random_network, rates, right_claims

from derive.check.judge import UNJUDGED

SETTINGS = settings(max_examples=5, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_a_mutated_claim_is_named(seed):
    made, named, equivalent, misses = rates([seed], per_net=6)
    assert not misses, misses
    assert sum(named.values()) >= 0.8 * sum(made.values()), (made, named, equivalent)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_unmutated_claims_are_always_right(seed):
    rng = np.random.default_rng(seed)
    network = random_network(rng)
    claims = right_claims(network)
    for verdict in judge_claims(network, [claims[k] for k in rng.permutation(len(claims))[:12]]):
        assert verdict.credited and not verdict.diagnoses, (verdict.claim.about_text, verdict.claim.expr_text,
                                                             verdict.verdict, verdict.notes)
        assert verdict.verdict != UNJUDGED
