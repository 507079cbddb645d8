"""`make bench`: speed, scale and query cost of the pipeline, against baselines in the same run.

Every stage runs in a fresh subprocess (`measure.run_measured`), so its wall time and the peak
resident memory of its whole process tree (Python + the Spark JVM) are its own. Figures are medians
of several runs. See docs/benchmarks.md for the latest results and what they mean.
"""
