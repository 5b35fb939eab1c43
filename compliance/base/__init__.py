"""The base layer: vocabulary, findings, share arithmetic, measurement windows, formatting, errors,
settings and the normalised documents. It imports nothing from the layers above it."""
