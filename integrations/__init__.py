"""One package per outside service, each shaped as DESIGN.md §4 describes."""
