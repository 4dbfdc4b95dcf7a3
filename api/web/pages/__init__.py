"""The console's pages, one router each (``api.web.install_console`` includes them)."""
