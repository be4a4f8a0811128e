"""The emulator's own control API, under ``/_emulator/`` (documented in the README)."""
