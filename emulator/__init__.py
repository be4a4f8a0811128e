"""fax-emulator: a local emulator and contract-test server for fax providers' HTTP APIs."""

__version__ = "0.2.0"
