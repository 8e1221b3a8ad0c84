"""Running untrusted student code in a child process and moving its results back as plain data."""
