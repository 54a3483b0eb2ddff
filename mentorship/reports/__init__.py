"""Read-only reports for career offices and partners."""
