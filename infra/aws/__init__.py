"""Laatu on AWS: the merge template, the package step and the deploy command."""
