"""Computer vision: the Harris corner response (from sums, from a patch, over an image) and Shi–Tomasi."""

from examprep.registry import register

register("vision/harris_from_sums-v1", "examprep.problems.vision.harris_from_sums:HarrisFromSums",
         title="Harris response from window sums", parts=("det", "trace", "R", "eigenvalues", "label"),
         catalog="seed_003 A5 (a), §2.4")
