"""Rotation of the application secret: its value format (`keys`) and the four rotation steps (`steps`)."""
