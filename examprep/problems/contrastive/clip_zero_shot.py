"""CLIP zero-shot classification: cosines between an image embedding and class embeddings, a softmax at
temperature τ, and the predicted class; prompt ensembling averages the normalised prompts of a class.

Catalog: seed_000_001 J3; seed_002 E11 (its "prediction is class 1" for cosines [0.6, 0.8, 0.48] is corrected to
class 2: the largest cosine is the second); seed_003 D1.

Parameters:
    image: the image embedding. texts: the prompt embeddings, one per row, grouped by class (rows 1..e are class 1,
    the next e rows class 2, ...). tau: the temperature τ (logits = cos/τ; a logit scale s means τ = 1/s).
    ensemble: prompts per class e (default 1). classes: optional class names.

Answer parts: ``class_emb`` (each prompt normalised, averaged per class, renormalised; intermediate), ``cosines``,
``probs`` (softmax of cos/τ) and ``label`` (the class name, or "class k" with k its number from 1 if
unnamed: the grader reads a label as a word, so a bare number is not a label).

Conventions stated in the prompt: natural log; embeddings are L2-normalised before any dot product; classes,
prompts, images and tokens are numbered from 1.

Reference: ``F.normalize`` on the prompts, a mean over each class's rows, ``F.normalize`` again, a batched matrix
product and ``torch.softmax`` (examprep.reference.contrastive:clip_zero_shot).

Common mistakes: raw dot products (no normalisation), τ multiplied instead of divided, the ensemble mean not
renormalised.

Versions: v1 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from examprep.errors import ParamError
from examprep.params import Param, Params
from examprep.parts import Part
from examprep.problem import Answers, Mistake, ProblemType, carry
from examprep.problems.contrastive.embed import CONVENTIONS, check_vectors, draw_int, draw_unit, normalise, softmax
from examprep.problems.gan.fair import near_miss, visible
from examprep.solver.expr import Func, Mat, Num, Sym
from examprep.solver.ops import sqrt
from examprep.solver.step import Derivation

NAMES = ("cat", "dog", "car", "bird", "ship", "tree")


def first_max(cos: np.ndarray) -> int:
    """The first class whose cosine is within 1e-9 of the largest (cosines lie in [−1, 1]; ties go to the first)."""
    return int(np.argmax(cos >= cos.max() - 1e-9))


def zero_shot(p: Params, normalise_all: bool = True, renorm: bool = True, times_tau: bool = False,
              given: Answers | None = None) -> dict[str, Any]:
    """class_emb, cosines, probs and the class index; the keywords make the named mistakes; ``given``: the student's
    earlier parts, used downstream."""
    t = np.asarray(p.texts, dtype=float)
    k = len(t) // p.ensemble
    t = normalise(t) if normalise_all else t
    mean = t.reshape(k, p.ensemble, -1).mean(axis=1)
    emb = carry(given, "class_emb", normalise(mean) if renorm and normalise_all else mean)
    v = normalise(p.image) if normalise_all else np.asarray(p.image, dtype=float)
    cos = carry(given, "cosines", emb @ v)
    probs = softmax(cos * p.tau if times_tau else cos / p.tau)
    return {"class_emb": emb, "cosines": cos, "probs": probs, "k": first_max(cos)}


class ClipZeroShot(ProblemType):
    id = "contrastive/clip_zero_shot-v1"
    title = "CLIP zero-shot classification"
    catalog = "seed_000_001 J3; seed_002 E11; seed_003 D1"
    reference_entry = "examprep.reference.contrastive:clip_zero_shot"
    params = (
        Param("image", "vector", "the image embedding", lo=-100, hi=100),
        Param("texts", "matrix", "prompt embeddings, one per row, grouped by class", lo=-100, hi=100),
        Param("tau", "real", "temperature τ (logits = cos/τ)", lo=1e-3, hi=100),
        Param("ensemble", "int", "prompts per class (rows grouped by class)", lo=1, hi=10, default=1),
        Param("classes", "str_list", "class names (optional; classes are numbered from 1 otherwise)", optional=True),
    )
    parts = (
        Part("class_emb", "Class embeddings (normalised prompts averaged per class, renormalised)", "matrix",
             final=False),
        Part("cosines", "Cosine similarities with each class", "vector", mode="decdig", digits=4,
             uses=("class_emb",)),
        Part("probs", "Class probabilities softmax(cos/τ)", "vector", mode="decdig", digits=6, uses=("cosines",)),
        Part("label", "Predicted class", "label", uses=("cosines",)),
    )

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            dim = int(rng.choice((2, 3)))
            image, *texts = draw_unit(rng, dim, 4)
            return dict(image=image, texts=texts, tau=float(rng.choice((1.0, 0.5, 0.1))), ensemble=1)
        if difficulty == "medium":
            image, *texts = draw_int(rng, 3, 4)
            return dict(image=image, texts=texts, tau=float(rng.choice((1.0, 0.5, 0.2, 0.1))), ensemble=1)
        k = int(rng.choice((2, 3)))
        image, *texts = draw_int(rng, 3, 1 + 2 * k)
        names = [NAMES[int(i)] for i in rng.permutation(len(NAMES))[:k]]
        return dict(image=image, texts=texts, tau=float(rng.choice((1.0, 0.5, 0.2, 0.1))), ensemble=2,
                    classes=names)

    def check(self, p: Params) -> list[str]:
        d = check_vectors("image", p.image)
        check_vectors("texts", p.texts, d)
        if len(p.texts) % p.ensemble:
            raise ParamError(f"texts: {len(p.texts)} rows cannot be split into classes of ensemble={p.ensemble} "
                             "prompts each")
        k = len(p.texts) // p.ensemble
        if k < 2:
            raise ParamError("texts: give prompts for at least 2 classes")
        if p.classes is not None and (len(p.classes) != k or len(set(p.classes)) != k):
            raise ParamError(f"classes: give {k} different names, one per class")
        mean = normalise(p.texts).reshape(k, p.ensemble, -1).mean(axis=1)
        if np.any(np.linalg.norm(mean, axis=1) < 1e-9):
            raise ParamError("texts: the prompts of a class cancel out, so their mean cannot be renormalised")
        return []

    def _label(self, p: Params, k: int) -> str:
        return p.classes[k] if p.classes is not None else f"class {k + 1}"

    def degenerate(self, p: Params) -> str | None:
        cos = np.sort(zero_shot(p)["cosines"])
        if cos[-1] - cos[-2] < 0.05:
            return "near-tie between the two largest cosines"
        return near_miss(self.solve(p), self.mistakes(p))

    def statement(self, p: Params) -> list[Any]:
        k = len(p.texts) // p.ensemble
        names = (", ".join(f"{i + 1} = {n}" for i, n in enumerate(p.classes)) if p.classes is not None
                 else f"class 1 to class {k}")
        ens = ("" if p.ensemble == 1 else
               f" Each class has {p.ensemble} prompts (rows {1}–{p.ensemble} are class 1, the next {p.ensemble} "
               "class 2, and so on): normalise each prompt, average the class's prompts and renormalise the mean "
               "(prompt ensembling).")
        return [
            "A CLIP model embeds an image as $v$ = ", list(p.image), " and the text prompts as the rows of $T$ = ",
            [list(r) for r in p.texts], f". The classes are {names}.{ens} "
            rf"The logits are $z_k = \frac{{\cos(v, c_k)}}{{\tau}}$ with $\tau = {p.tau:g}$ "
            rf"(a logit scale $s$ means $\tau = \frac{{1}}{{s}}$), where $c_k$ is the embedding of class $k$. "
            "Give the class embeddings (one row per class), the cosines $\\cos(v, c_k)$ to 4 decimal places, the "
            "probabilities $\\operatorname{softmax}(z)$ to 6 decimal places and the predicted class "
            f"({'its name' if p.classes is not None else 'as class k'}). " + CONVENTIONS
        ]

    def solve(self, p: Params, given: Answers | None = None) -> Answers:
        r = zero_shot(p, given=given)
        return {"class_emb": r["class_emb"].tolist(), "cosines": r["cosines"].tolist(),
                "probs": r["probs"].tolist(), "label": self._label(p, r["k"])}

    def derivation(self, p: Params) -> Derivation:
        r = zero_shot(p)
        d = Derivation()
        norm = lambda row: sqrt(sum((Num(x) ** 2 for x in row[1:]), Num(row[0]) ** 2))  # noqa: E731
        vhat = d.add("Normalise the image embedding", normalise(p.image).tolist(), lhs=Sym("v_hat", tex=r"\hat{v}"),
                     substituted=Mat([[Num(x) / norm(p.image) for x in p.image]]),
                     note=r"$\hat{v} = \frac{v}{\lVert v \rVert}$")
        that = normalise(p.texts)
        d.add("Normalise each prompt", that.tolist(), lhs=Sym("T_hat", tex=r"\hat{T}"),
              substituted=Mat([[Num(x) / norm(row) for x in row] for row in p.texts]),
              note=r"each row divided by its length: $\hat{t}_j = \frac{t_j}{\lVert t_j \rVert}$")
        k, e = len(p.texts) // p.ensemble, p.ensemble
        if e > 1:
            grp = that.reshape(k, e, -1)
            mean = grp.mean(axis=1)
            d.add("Average the prompts of each class", mean.tolist(), lhs=Sym("m_k", tex=r"\bar{t}_k"),
                  substituted=Mat([[sum((Num(g[j, i]) for j in range(1, e)), Num(g[0, i])) / e
                                    for i in range(grp.shape[2])] for g in grp]))
            d.add("Renormalise the class means", r["class_emb"].tolist(), lhs=Sym("C", tex="C"),
                  substituted=Mat([[Num(x) / norm(row) for x in row] for row in mean]), part="class_emb",
                  note=r"$c_k = \frac{\bar{t}_k}{\lVert \bar{t}_k \rVert}$: the mean of unit vectors is shorter "
                       "than 1")
        else:
            d.add("Class embeddings", r["class_emb"].tolist(), lhs=Sym("C", tex="C"), part="class_emb",
                  note=r"one prompt per class: $c_k = \hat{t}_k$")
        emb = r["class_emb"]
        d.add("Cosines", r["cosines"].tolist(), lhs=Sym("cos", tex=r"\cos(v, c_k)"), part="cosines",
              substituted=Mat([[sum((Num(a) * Num(b) for a, b in zip(vhat[1:], c[1:], strict=True)),
                                    Num(vhat[0]) * Num(c[0])) for c in emb]]),
              note=r"$\cos(v, c_k) = \hat{v} \cdot c_k$")
        z = r["cosines"] / p.tau
        d.add("Logits", z.tolist(), lhs=Sym("z_k"), part=None,
              substituted=Mat([[Num(c) / Num(p.tau) for c in r["cosines"]]]),
              note=r"$z_k = \frac{\cos(v, c_k)}{\tau}$")
        d.add("Softmax", r["probs"].tolist(), lhs=Sym("p_k"), part="probs",
              substituted=Func("softmax", Mat([[Num(x) for x in z]])),
              note=r"$p_k = \frac{\exp(z_k)}{\sum_j \exp(z_j)}$")
        label = self._label(p, r["k"])
        d.add("Predicted class", label, lhs=Sym("k_hat", tex=r"\hat{k}"), part="label",
              note=f"the largest cosine (and probability) is class {r['k'] + 1}"
                   + (f" ({label})" if p.classes is not None else ""))
        d.answer = label if p.classes is None else f"class {r['k'] + 1} ({label})"
        return d

    def mistakes(self, p: Params) -> dict[str, Mistake]:
        return visible(self.solve(p), self.all_mistakes(p))

    def all_mistakes(self, p: Params) -> dict[str, Mistake]:
        """Every named mistake, whether or not it shows on these parameters."""
        truth = zero_shot(p)

        def out(r: dict[str, Any], parts: tuple[str, ...]) -> Answers:
            a: Answers = {k: r[k].tolist() for k in parts}
            if r["k"] != truth["k"]:
                a["label"] = self._label(p, r["k"])
            return a

        m: dict[str, Mistake] = {}
        if p.ensemble > 1:  # first: with unit prompts, the raw dot products give the same unrenormalised means
            m["mean_not_renormalised"] = Mistake(
                out(zero_shot(p, renorm=False), ("class_emb", "cosines", "probs")),
                "The mean of the normalised prompts is shorter than 1: renormalise it before taking cosines.")
        m["raw_dot_products"] = Mistake(out(zero_shot(p, normalise_all=False), ("class_emb", "cosines", "probs")),
                                        "You used raw dot products: L2-normalise the image and every prompt "
                                        "first, so that the dot product is the cosine.")
        m["tau_multiplied"] = Mistake(out(zero_shot(p, times_tau=True), ("probs",)),
                                      "The logits are the cosines divided by τ (multiplied by the logit scale "
                                      "1/τ), not multiplied by τ.")
        return m
