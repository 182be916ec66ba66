"""What the union page shows of its funds (registered with core.profile)."""
