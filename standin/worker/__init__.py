"""The stand-in's queue workers: the generator and the regenerator, with a mock AI provider."""
