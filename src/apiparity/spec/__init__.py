"""Document-level work: validation, $ref resolution, normalization, framework noise rules."""
