"""The one random-generator helper: the streams NumPy gives for the same seed."""

from __future__ import annotations

import numpy as np

from geoseg.settings import random_generator


def test_integer_and_seed_sequence_give_numpys_streams():
    assert np.array_equal(random_generator(7).random(5), np.random.default_rng(7).random(5))
    children = np.random.SeedSequence([2026, 12]).spawn(3)
    again = np.random.SeedSequence([2026, 12]).spawn(3)
    for ours, theirs in zip(children, again, strict=True):
        expected = np.random.Generator(np.random.PCG64(theirs)).integers(1000, size=8)
        assert np.array_equal(random_generator(ours).integers(1000, size=8), expected)


def test_named_streams_depend_on_seed_and_names_only():
    a = random_generator(5, "2021", "foreign_born").random(4)
    assert np.array_equal(a, random_generator(5, "2021", "foreign_born").random(4))
    assert not np.array_equal(a, random_generator(5, "2022", "foreign_born").random(4))
    seq = np.random.SeedSequence([5, 1])
    b = random_generator(seq, "x").random(4)
    assert np.array_equal(b, random_generator(np.random.SeedSequence([5, 1]), "x").random(4))
    assert not np.array_equal(b, random_generator(np.random.SeedSequence([5, 2]), "x").random(4))
