"""Operations: tools run by an operator from the command line, above every stage."""
