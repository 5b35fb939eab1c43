"""Green public procurement contract compliance monitoring."""
