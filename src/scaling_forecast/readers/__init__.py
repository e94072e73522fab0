"""Readers: files, foreign formats (harnesses, trackers), job files and saved fits, as tables and runs."""
