"""N-gram counting for BLEU: counts, clipped counts and the brevity penalty's reference length."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

SENTENCES = (
    ("the cat is on the mat", "there is a cat on the mat"),
    ("a dog runs in the park", "the dog is running in the park"),
    ("the sun rises in the east", "in the east the sun comes up"),
    ("she reads a book every night", "every night she reads a book"),
    ("the model learns from the data", "the network learns from data"),
    ("we train the network on images", "the network is trained on images"),
    ("the red car stops at the light", "a red car waits at the light"),
    ("he drinks coffee in the morning", "in the morning he drinks coffee"),
    ("the children play in the garden", "kids are playing in the garden"),
    ("the bird sings on the tree", "a bird is singing in the tree"),
)
FILLERS = ("a", "the", "big", "small", "old", "is", "on", "and", "new", "very")


def grams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    """The n-grams of a token list, in order."""
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def clipped(cand: Sequence[str], refs: Sequence[Sequence[str]], n: int) -> list[tuple[tuple[str, ...], int, int]]:
    """(n-gram, count in the candidate, clipped count) per distinct candidate n-gram, in order of first appearance;
    the clip is the largest count of the n-gram in any one reference."""
    counts = Counter(grams(cand, n))
    ref_counts = [Counter(grams(r, n)) for r in refs]
    return [(g, k, min(k, max(rc[g] for rc in ref_counts))) for g, k in counts.items()]


def closest_length(c: int, lengths: Sequence[int]) -> int:
    """The reference length closest to c, the shorter one on a tie."""
    return min(lengths, key=lambda r: (abs(r - c), r))
