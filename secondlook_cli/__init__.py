"""secondlook_cli package."""
