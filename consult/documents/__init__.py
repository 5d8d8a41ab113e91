"""Documents (policies and service standards), their versions and sections."""
