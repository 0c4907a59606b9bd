"""nn: a small neural-network library built on the autograd engine."""
