"""Per contract year: shares, binding levels, shortfalls and penalties."""
