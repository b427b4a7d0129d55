"""`make bench`: the performance benchmarks of issue 5, each part against a baseline measured in the same run."""
