"""Rule checks, one module per rule family: pure functions from typed inputs to findings."""
