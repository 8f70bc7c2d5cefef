"""References for the embedding family, written from sklearn's text tools and torch, independent of the problem
modules: bag-of-words vectors from ``CountVectorizer`` with the vocabulary fixed, cosines from
``cosine_similarity``."""

from __future__ import annotations

import numpy as np
import torch

from examprep.params import Params
from examprep.reference.batching import Answers, grouped


def bow_cosine(batch: list[Params], device: torch.device) -> Answers:
    """``CountVectorizer(vocabulary=vocab, binary=binary)`` on whitespace tokens, then ``cosine_similarity``;
    instances with as many documents and words are stacked into one column."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    def run(ps: list[Params]) -> dict[str, np.ndarray]:
        vecs, cos = [], []
        for p in ps:
            cv = CountVectorizer(vocabulary=list(p.vocab), binary=p.binary, token_pattern=r"\S+", lowercase=False)
            x = cv.transform(list(p.docs)).toarray().astype(np.float64)
            vecs.append(x)
            cos.append(cosine_similarity(x))
        return {"dim": np.array([len(cv.vocabulary_) for _ in ps]), "vectors": np.stack(vecs),
                "cosine": np.stack(cos)}

    return grouped(batch, lambda p: (len(p.docs), len(p.vocab)), run)


def cooccurrence(batch: list[Params], device: torch.device) -> Answers:
    """Window 0: ``CountVectorizer(binary=True)`` as BᵀB; c >= 1: every position pair within c added with
    ``np.add.at`` from index grids."""
    from sklearn.feature_extraction.text import CountVectorizer

    def one(p: Params) -> np.ndarray:
        v = len(p.vocab)
        if p.window == 0:
            cv = CountVectorizer(vocabulary=list(p.vocab), binary=True, token_pattern=r"\S+", lowercase=False)
            b = cv.transform(list(p.docs)).toarray().astype(np.float64)
            return b.T @ b
        n = np.zeros((v, v))
        pos = {w: k for k, w in enumerate(p.vocab)}
        for doc in p.docs:
            ids = np.array([pos[w] for w in doc.split()])
            pp, qq = np.meshgrid(np.arange(len(ids)), np.arange(len(ids)), indexing="ij")
            keep = (pp != qq) & (np.abs(pp - qq) <= p.window)
            np.add.at(n, (ids[pp[keep]], ids[qq[keep]]), 1)
        return n

    def run(ps: list[Params]) -> dict[str, np.ndarray]:
        return {"N": np.stack([one(p) for p in ps])}

    return grouped(batch, lambda p: len(p.vocab), run)


def analogy(batch: list[Params], device: torch.device) -> list[dict]:
    """The query by vector arithmetic, sklearn ``cosine_similarity`` or ``euclidean_distances`` to every word, the
    best candidate by argmax / argmin over the words left after masking the query words."""
    from sklearn.metrics.pairwise import cosine_similarity, euclidean_distances

    out = []
    for p in batch:
        v = np.asarray(p.vectors, dtype=np.float64)
        idx = {w: k for k, w in enumerate(p.words)}
        q = v[idx[p.b]] - v[idx[p.a]] + v[idx[p.c]]
        cos = p.metric == "cosine"
        s = (cosine_similarity if cos else euclidean_distances)(q[None], v)[0]
        masked = s.copy()
        if p.exclude:
            masked[[idx[p.a], idx[p.b], idx[p.c]]] = -np.inf if cos else np.inf
        best = int(np.argmax(masked) if cos else np.argmin(masked))
        out.append({"query": q, "scores": s, "answer": p.words[best]})
    return out


def interpolation(batch: list[Params], device: torch.device) -> Answers:
    """``torch.lerp``; Ω = arccos of the cosine; slerp from its formula, vectors of one size batched together."""
    from examprep.reference.packing import real

    def run(ps: list[Params]) -> dict[str, torch.Tensor]:
        z0 = real(np.array([p.z0 for p in ps], dtype=np.float64), device)
        z1 = real(np.array([p.z1 for p in ps], dtype=np.float64), device)
        t = real(np.array([p.t for p in ps], dtype=np.float64), device)[:, None]
        omega = torch.arccos(torch.nn.functional.cosine_similarity(z0, z1, dim=1).clamp(-1, 1))[:, None]
        slerp = (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)
        return {"lerp": torch.lerp(z0, z1, t), "omega": omega[:, 0], "slerp": slerp}

    return grouped(batch, lambda p: len(p.z0), run)


def skipgram_pairs(batch: list[Params], device: torch.device) -> Answers:
    """Every (centre, context) position pair enumerated; one CBOW example per position; the parameters as the numels
    of two ``nn.Embedding(|V|, N)`` on the meta device."""
    from torch import nn

    pairs, cbow, params = [], [], []
    for p in batch:
        pairs.append(sum(1 for i in range(p.n) for j in range(p.n) if i != j and abs(i - j) <= p.window))
        cbow.append(len(range(p.n)))
        params.append(sum(nn.Embedding(p.vocab_size, p.dim, device="meta").weight.numel() for _ in ("in", "out")))
    return Answers(len(batch)).add(None, {"pairs": np.array(pairs), "cbow_examples": np.array(cbow),
                                          "params": np.array(params, dtype=np.int64)})
