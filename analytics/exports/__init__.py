"""Exports of the marts to other tools (Amplitude)."""
