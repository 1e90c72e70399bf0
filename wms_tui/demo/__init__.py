"""Demo and training mode: a practice warehouse, its marker, and the virtual scanner."""
