"""`steward bench`: measured speed of the paths that matter, each against a floor (the same
work done the rawest way possible) measured in the same run, in a throwaway database."""
