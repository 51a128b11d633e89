"""What training and inference share: task losses and links, input stores and batches, the one
batched ``predict``, devices, weights, metrics, calibration, per-position and forecast helpers.

Everything above this package (``seqconv.train``, ``seqconv.runs``, ``seqconv.motifs``) builds on
it; it imports neither.
"""
