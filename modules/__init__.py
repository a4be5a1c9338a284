"""One construct per concern. Each takes one props dataclass and exposes its resources as attributes."""
