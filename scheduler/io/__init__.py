"""Data edges: loading and validating files, writing run directories and exports."""
