"""Format modules for locales Django ships under other names (settings.FORMAT_MODULE_PATH)."""
