"""Coverage: view cones on the ground, per-zone coverage and gaps, "who could have seen P at T"."""
