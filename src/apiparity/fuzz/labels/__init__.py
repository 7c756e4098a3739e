"""Known-divergence labels as units: each module of this package registers its labels with
`apiparity.fuzz.divergences.divergence` and is imported by the catalog itself, in name order, after
the catalog's own entries (`identify` takes the first that applies, so the catalog's most specific
entries keep their precedence). Adding a label is one module here and its test
(tests/fuzz/labels/test_<module>.py: a case where it is right and a near miss where it is not)."""
