"""The warehouse: rules, flows and services; knows no Textual, no CLI and no SQL."""
