"""Textual screens, their widgets and their .tcss files."""
