"""Test settings: applied by tests/conftest.py on top of the defaults."""

TESTING = True
SECRET_KEY = "test-secret"
LTI_TOOL_ALLOW_PRIVATE_NETWORK = True
LTI_TOOL_ALLOW_INSECURE_HTTP = True
