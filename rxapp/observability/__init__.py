"""Operations: the visitor's address, metrics, health and structured logs."""
