"""Extensions: the run report and the live progress line."""
