"""Word embeddings: bag of words, co-occurrence counts, analogies, latent interpolation, skip-gram counts."""

from examprep.registry import register

register("embedding/bow_cosine-v1", "examprep.problems.embedding.bow_cosine:BowCosine",
         title="Bag-of-words vectors and document cosines", parts=("dim", "vectors", "cosine"),
         catalog="seed_004 B2")
register("embedding/cooccurrence-v1", "examprep.problems.embedding.cooccurrence:Cooccurrence",
         title="Word co-occurrence matrix", parts=("N",), catalog="seed_004 B3")
register("embedding/analogy-v1", "examprep.problems.embedding.analogy:Analogy", title="Word-vector analogy",
         parts=("query", "scores", "answer"), catalog="seed_004 B4")
register("embedding/interpolation-v1", "examprep.problems.embedding.interpolation:Interpolation",
         title="Linear and spherical interpolation of latent vectors", parts=("lerp", "omega", "slerp"),
         catalog="issue 18")
register("embedding/skipgram_pairs-v1", "examprep.problems.embedding.skipgram_pairs:SkipgramPairs",
         title="Skip-gram pairs, CBOW examples and word2vec parameters", parts=("pairs", "cbow_examples", "params"),
         catalog="seed_004 B5")
