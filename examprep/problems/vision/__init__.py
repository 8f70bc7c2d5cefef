"""Computer vision: the Harris corner response (from sums, from a patch, over an image) and Shi–Tomasi."""

from examprep.registry import register

register("vision/harris_from_sums-v1", "examprep.problems.vision.harris_from_sums:HarrisFromSums",
         title="Harris response from window sums", parts=("det", "trace", "R", "eigenvalues", "label"),
         catalog="seed_003 A5 (a), §2.4")
register("vision/harris_patch-v1", "examprep.problems.vision.harris_patch:HarrisPatch",
         title="Harris response at a pixel of a patch",
         parts=("Ix", "Iy", "A", "B", "C", "det", "trace", "R", "label"), catalog="seed_003 A5 (c), §2.4")
register("vision/harris_map-v1", "examprep.problems.vision.harris_map:HarrisMap",
         title="Harris response map and corners", parts=("R", "corners", "n_corners"), catalog="seed_003 A5, §2.4")
register("vision/shi_tomasi-v1", "examprep.problems.vision.shi_tomasi:ShiTomasi",
         title="Shi–Tomasi corner score", parts=("lambda_min", "lambda_max", "label"), catalog="seed_003 A5, §2.4")
