"""Models of this feature app arrive with its issue."""
