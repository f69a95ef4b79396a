"""Staff commands, one module per group; ``socialbot.cli`` registers them."""
