"""The commands the practice platform adds to ``socialbot`` (entry point group
``socialbot.commands``): ``sandbox`` and ``demo``."""
