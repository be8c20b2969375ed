"""From outcomes to verdicts: the requirement catalogue, the Gherkin model and the verdict rules."""
