"""derive check: judge a student's claimed expressions and numbers about a network, claim by claim."""
