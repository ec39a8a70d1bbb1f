"""Segmentation workbench."""
