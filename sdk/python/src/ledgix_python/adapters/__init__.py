"""Framework adapters. Each wraps a framework tool so that it runs only after the vault
approved the exact call (fail closed); the client argument is optional and defaults to the
global client of `ledgix_python.configure`. Inside the tool, `current_token()` works."""
