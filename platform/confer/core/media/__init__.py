"""The media plane: Janus media nodes, their configuration and the tokens clients present to them."""
