"""Documentation generated from the warehouse itself."""
