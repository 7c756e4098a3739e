"""Hostile apps for the adversarial corpus: each one breaks a different assumption."""
